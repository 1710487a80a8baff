"""wrk as the benchmark's load generator: finding (or installing) it, running it with wrk_report.lua, reading
the one JSON line that script prints.

wrk is written in C with one event loop per thread: at one thread it costs a small part of the CPU of the
service it loads, so the two cores of a laptop go to the service and its database, not to the generator.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts.bench.endpoints import Endpoint
from scripts.bench.result import Result

SCRIPT = Path(__file__).with_name("wrk_report.lua")
TIMEOUT_SECONDS = 10  # a request slower than this counts as a socket timeout: an error
SOCKET_ERRORS = ("connect", "read", "write", "timeout")

Installer = Callable[[], bool]  # tries to install wrk; True if it says it did


class WrkError(RuntimeError):
    """wrk ran but printed no report: a broken script or command line, not a measurement."""


def apt_install_wrk() -> bool:
    """`apt-get install -y wrk` (after `apt-get update` if the first try fails), where that can work: as root."""
    apt_get = shutil.which("apt-get")
    if apt_get is None or os.geteuid() != 0:
        return False
    print("wrk is missing: installing it with `apt-get install -y wrk`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def succeeds(*args: str) -> bool:
        return subprocess.run([apt_get, *args], env=env, capture_output=True).returncode == 0

    return succeeds("install", "-y", "wrk") or (succeeds("update") and succeeds("install", "-y", "wrk"))


def find_wrk(path: str | None = None, install: Installer = apt_install_wrk) -> str | None:
    """wrk's path on `path` (default: $PATH), installing it first if it is not there; None if that fails."""
    found = shutil.which("wrk", path=path)
    if found is None and install():
        found = shutil.which("wrk", path=path)
    return found


def parse_report(stdout: str, stderr: str) -> Result:
    """The Result of one wrk run, from the JSON line of wrk_report.lua's done()."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        # wrk checks that it can connect before it starts, and exits without a report when it cannot.
        if "unable to connect" in stderr:
            nan = float("nan")
            return Result(0, 1, {"socket connect": 1}, seconds=0.0, rps=0.0, p50_ms=nan, p99_ms=nan)
        raise WrkError(f"wrk printed no report: {stderr.strip() or stdout.strip()}")
    report = json.loads(lines[-1])
    problems = {
        **report["unexpected"],
        **{f"socket {kind}": report["socket_errors"][kind] for kind in SOCKET_ERRORS if report["socket_errors"][kind]},
    }
    seconds = report["duration_us"] / 1e6
    return Result(
        requests=report["requests"],
        errors=sum(problems.values()),
        error_statuses=problems,
        seconds=seconds,
        rps=report["requests"] / seconds if seconds else 0.0,
        p50_ms=report["p50_us"] / 1000 if report["requests"] else math.nan,
        p99_ms=report["p99_us"] / 1000 if report["requests"] else math.nan,
    )


@dataclass
class WrkLoad:
    """The load generator interface of generator.py over wrk: one thread, `connections` keep-alive connections."""

    executable: str
    connections: int

    @property
    def description(self) -> str:
        return f"wrk ({self.executable}), 1 thread, {self.connections} connections"

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        script_args = [f"method={endpoint.method}", f"expect={endpoint.expect}", f"seed={secrets.randbits(31)}"]
        script_args += [f"header={name}: {value}" for name, value in endpoint.headers.items()]
        if endpoint.post_expire_at is not None:
            script_args.append(f"expire_at={endpoint.post_expire_at}")
        return [
            *(self.executable, "--threads", "1", "--connections", str(self.connections)),
            *("--duration", f"{seconds}s", "--timeout", f"{TIMEOUT_SECONDS}s", "--script", str(SCRIPT)),
            endpoint.url,
            "--",
            *script_args,
        ]

    def run(self, endpoint: Endpoint, seconds: int) -> Result:
        done = subprocess.run(
            self.command(endpoint, seconds), capture_output=True, text=True, timeout=seconds + 2 * TIMEOUT_SECONDS
        )
        return parse_report(done.stdout, done.stderr)
