"""Which load generator measures: wrk where it is (or can be installed), else the Python one, said in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from scripts.bench.endpoints import Endpoint
from scripts.bench.load import PythonLoad
from scripts.bench.result import Result
from scripts.bench.wrk import Installer, WrkLoad, apt_install_wrk, find_wrk

NO_WRK = (
    "wrk is not installed and could not be installed here (`apt-get install wrk` or `brew install wrk` installs it), "
    "so the Python load generator measures instead, and its figures are lower because it shares the CPU with the "
    "services it measures."
)


class LoadGenerator(Protocol):
    @property
    def description(self) -> str: ...

    def run(self, endpoint: Endpoint, seconds: int) -> Result: ...


def pick_generator(
    connections: int,
    *,
    path: str | None = None,
    install: Installer = apt_install_wrk,
    say: Callable[[str], object] = print,
) -> LoadGenerator:
    wrk = find_wrk(path, install)
    if wrk is not None:
        return WrkLoad(wrk, connections)
    say(NO_WRK)
    return PythonLoad(connections)
