"""The benchmark's load generator (scripts/bench/load.py) over real HTTP, and `python -m scripts.bench` wiring."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from registry import ROOT
from scripts.bench.load import median_latency_ms, percentile, run_load
from scripts.stack.service_process import free_port
from tests.scripts.bench_server import recording_server


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with recording_server() as (url, _):
        yield url


def test_every_answer_counts_and_only_the_unexpected_are_errors(server: str) -> None:
    ok = run_load(lambda: ("GET", f"{server}/answer/200", {}, None), expect=200, concurrency=2, seconds=0.5, warmup=0.1)
    assert ok.requests > 10 and ok.errors == 0 and ok.error_statuses == {}
    assert ok.rps == ok.requests / 0.5 and 0 < ok.p50_ms <= ok.p99_ms

    bad = run_load(
        lambda: ("GET", f"{server}/answer/500", {}, None), expect=200, concurrency=2, seconds=0.3, warmup=0.1
    )
    assert bad.requests > 0 and bad.error_statuses == {"500": bad.requests} and bad.errors == bad.requests


def test_no_answer_at_all_is_status_0() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    result = run_load(
        lambda: ("GET", f"{nobody}/answer/200", {}, None), expect=200, concurrency=1, seconds=0.2, warmup=0
    )
    assert result.requests > 0 and result.error_statuses == {"0": result.requests}


def test_percentiles_and_the_sequential_median(server: str) -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (51.0, 99.0, 100.0)
    assert median_latency_ms(lambda: ("GET", f"{server}/answer/200", {}, None), expect=200, count=5) > 0
    with pytest.raises(RuntimeError, match="answered 500, expected 200"):
        median_latency_ms(lambda: ("GET", f"{server}/answer/500", {}, None), expect=200, count=1)


def test_make_bench_runs_the_package() -> None:
    """As the Makefile runs it (PYTHONPATH=apps/core, from the root); --help starts nothing."""
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "--help"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": "apps/core"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m scripts.bench")
