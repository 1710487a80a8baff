"""The CPU time the benchmark divides by the requests (scripts/bench/cpu.py), read from real processes."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import psutil
import psycopg2
import pytest

from scripts.bench.cpu import cpu_between, own_cpu, postmaster_pid, tree_cpu
from scripts.stack.postgres import LocalPostgres


def burner(seconds: float, then: str = "") -> str:
    """Python code that burns `seconds` of CPU, then runs `then`."""
    return f"import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n{then}"


# A parent that starts a child which burns CPU for BURN seconds, then both sleep: like an idle gunicorn master
# and its worker.
BURN = 0.5
FAMILY = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {burner(BURN, 'time.sleep(60)')!r}])\n"
FAMILY += "time.sleep(60)"


def test_the_cpu_of_a_process_counts_its_children() -> None:
    parent = subprocess.Popen([sys.executable, "-c", FAMILY])
    try:
        before = tree_cpu(parent.pid)
        deadline = time.monotonic() + 20  # a busy machine may give the child its CPU slowly
        while cpu_between(before, after := tree_cpu(parent.pid)) < BURN and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(after) == 2 and parent.pid in after
        assert BURN <= cpu_between(before, after) <= BURN + 0.5  # the parent's own start-up is in it too
    finally:
        for child in psutil.Process(parent.pid).children():
            child.kill()
        parent.kill()
        parent.wait()


def test_a_process_that_started_during_the_run_counts_from_zero() -> None:
    assert cpu_between({1: 2.0, 2: 1.0}, {1: 2.5, 2: 1.0, 3: 0.25}) == pytest.approx(0.75)


def test_own_cpu_counts_the_children_waited_for() -> None:
    before = own_cpu()
    subprocess.run(
        [sys.executable, "-c", "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"]
    )
    assert own_cpu() - before >= 0.3


def test_the_postmaster_is_the_parent_of_every_backend(postgres: LocalPostgres) -> None:
    uri = postgres.ensure_database("bench_cpu", "bench_cpu", "bench-cpu-password")
    pid = postmaster_pid(uri)
    with contextlib.closing(psycopg2.connect(uri)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        assert backend in {child.pid for child in psutil.Process(pid).children()}
    assert pid == int((postgres.data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])  # its own record
