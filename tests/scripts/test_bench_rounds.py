"""The order of the benchmark's runs (scripts/bench/measure.py): a warm-up run of each, then rounds in which each
endpoint's run comes right after a baseline run of its own, and is paired with it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from scripts.bench.endpoints import Endpoint
from scripts.bench.measure import WARMUP_SECONDS, Measured, paired_rounds
from scripts.bench.result import Result


@dataclass
class ScriptedLoad:
    """A load generator that answers each run with the next req/s of its script, and records what it ran."""

    rps: list[float]
    ran: list[tuple[str, int]] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "scripted"

    def run(self, endpoint: Endpoint, seconds: int) -> Result:
        self.ran.append((endpoint.name, seconds))
        rps = self.rps.pop(0) if seconds != WARMUP_SECONDS else 1.0
        return Result(int(rps * seconds), 0, {}, seconds, rps, 1.0, 2.0)


def measured(name: str, baseline: str = "read") -> Measured:
    return Measured(Endpoint(name, "GET", f"http://127.0.0.1:1/{name}", 200, baseline=baseline), app_pid=os.getpid())


def test_warm_up_then_each_endpoint_right_after_a_baseline_run_of_its_own() -> None:
    load = ScriptedLoad(rps=[100, 90, 200, 100, 110, 99, 220, 88])
    said: list[str] = []
    baselines = {"read": measured("base"), "write": measured("insert")}
    endpoints = [measured("a"), measured("b", baseline="write")]
    pairs = paired_rounds(load, baselines, endpoints, db_pid=os.getpid(), runs=2, seconds=3, say=said.append)
    warm_up = [(name, WARMUP_SECONDS) for name in ("base", "insert", "a", "b")]
    assert load.ran == warm_up + [("base", 3), ("a", 3), ("insert", 3), ("b", 3)] * 2
    assert [(pair.round, pair.endpoint, pair.baseline_name, pair.ratio) for pair in pairs] == [
        (1, "a", "base", 0.9),
        (1, "b", "insert", 0.5),
        (2, "a", "base", 0.9),
        (2, "b", "insert", 0.4),
    ]
    assert len(said) == 4 and said[1].startswith("  round 1  b ") and " 0.50 x " in said[1]
    assert all(pair.measured.app_cpu_s >= 0 and pair.measured.load_cpu_s >= 0 for pair in pairs)
