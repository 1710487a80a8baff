"""CPU time (user + system) of a process and all its descendants, across one run: what a request costs the app
and the database, whatever share of the CPU the load generator takes."""

from __future__ import annotations

import contextlib
import os

import psutil
import psycopg2

CpuSnapshot = dict[int, float]  # pid -> CPU seconds so far


def tree_cpu(pid: int) -> CpuSnapshot:
    """The CPU seconds of `pid` (a gunicorn master, the postmaster) and of every process under it."""
    root = psutil.Process(pid)
    snapshot = {}
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):  # it exited between the listing and the reading
            times = process.cpu_times()
            snapshot[process.pid] = times.user + times.system
    return snapshot


def cpu_between(before: CpuSnapshot, after: CpuSnapshot) -> float:
    """The CPU seconds spent in between by the processes alive at the end (one started since counts from 0)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def own_cpu() -> float:
    """The CPU seconds of this process and of the children it has waited for: across a run, the load generator's
    (wrk, a child; or the Python generator, in process) and a little of the benchmark's own."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def postmaster_pid(database_uri: str) -> int:
    """The PostgreSQL server's main process: the parent of the backend that serves a connection."""
    with contextlib.closing(psycopg2.connect(database_uri)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return psutil.Process(cursor.fetchone()[0]).ppid()  # while the backend is alive: it exits with the connection
