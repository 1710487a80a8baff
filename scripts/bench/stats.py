"""The figures of repeated, paired runs: medians, spreads, ratios to the adjacent baseline run, and the targets.

Each endpoint run comes right after a baseline run, and its ratio is to that run: whatever slows the machine
down for a while (other work on it, a warming cache) slows both, so a ratio varies less than req/s does.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass

from scripts.bench.result import Result

MAX_P99_RATIO = 1.5  # the target: p99 latency no worse than this × the baseline's


@dataclass
class Run:
    """One load run against one app, and the CPU spent meanwhile by that app's processes, PostgreSQL's and the
    load generator's."""

    result: Result
    app_cpu_s: float
    db_cpu_s: float
    load_cpu_s: float

    def per_request_ms(self, cpu_seconds: float) -> float:
        return cpu_seconds * 1000 / self.result.requests if self.result.requests else math.nan

    def as_dict(self) -> dict[str, object]:
        return {
            **self.result.as_dict(),
            "app_cpu_s": self.app_cpu_s,
            "db_cpu_s": self.db_cpu_s,
            "app_cpu_ms_per_request": self.per_request_ms(self.app_cpu_s),
            "db_cpu_ms_per_request": self.per_request_ms(self.db_cpu_s),
            "load_cpu_ms_per_request": self.per_request_ms(self.load_cpu_s),
        }


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else math.nan


@dataclass
class Pair:
    """A baseline run and the endpoint's run right after it, in one round."""

    round: int
    endpoint: str
    baseline: Run
    measured: Run
    baseline_name: str = "baseline"  # which baseline app's run: the read's, or the write's for a create

    @property
    def ratio(self) -> float:
        return ratio(self.measured.result.rps, self.baseline.result.rps)

    @property
    def p99_ratio(self) -> float:
        return ratio(self.measured.result.p99_ms, self.baseline.result.p99_ms)

    def as_dict(self) -> dict[str, object]:
        return {
            "round": self.round,
            "endpoint": self.endpoint,
            "baseline_name": self.baseline_name,
            "baseline": self.baseline.as_dict(),
            "measured": self.measured.as_dict(),
            "ratio": self.ratio,
            "p99_ratio": self.p99_ratio,
        }


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))


@dataclass
class Summary:
    """One endpoint's (or the baseline's) figures over every run of one gunicorn setting."""

    endpoint: str
    runs: int
    rps: Spread
    p99_ms: float  # median
    app_cpu_ms: float  # median CPU per request
    db_cpu_ms: float
    load_cpu_ms: float  # the load generator's: far below app_cpu_ms, or the figures measure the generator
    errors: int  # summed over the runs
    worst_round: int  # the round of the run with the fewest req/s
    ratio: Spread | None = None  # of the paired ratios; None for the baseline
    p99_ratio: float | None = None  # median of the paired ratios

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _summary(endpoint: str, runs: list[tuple[int, Run]]) -> Summary:
    results = [run.result for _, run in runs]
    worst_round, _ = min(runs, key=lambda numbered: numbered[1].result.rps)
    return Summary(
        endpoint=endpoint,
        runs=len(runs),
        rps=Spread.of([result.rps for result in results]),
        p99_ms=statistics.median(result.p99_ms for result in results),
        app_cpu_ms=statistics.median(run.per_request_ms(run.app_cpu_s) for _, run in runs),
        db_cpu_ms=statistics.median(run.per_request_ms(run.db_cpu_s) for _, run in runs),
        load_cpu_ms=statistics.median(run.per_request_ms(run.load_cpu_s) for _, run in runs),
        errors=sum(result.errors for result in results),
        worst_round=worst_round,
    )


def summarise_endpoint(endpoint: str, pairs: list[Pair]) -> Summary:
    mine = [pair for pair in pairs if pair.endpoint == endpoint]
    summary = _summary(endpoint, [(pair.round, pair.measured) for pair in mine])
    summary.ratio = Spread.of([pair.ratio for pair in mine])
    summary.p99_ratio = statistics.median(pair.p99_ratio for pair in mine)
    return summary


def summarise_baseline(name: str, pairs: list[Pair]) -> Summary:
    """Every run of the baseline `name` in the setting: one before each endpoint run paired with it."""
    return _summary(name, [(pair.round, pair.baseline) for pair in pairs if pair.baseline_name == name])


@dataclass(frozen=True)
class Marks:
    """Each target met (True), missed (False), or not one of this row's (None: the baseline's ratios)."""

    ratio: bool | None
    p99_ratio: bool | None
    errors: bool


def marks(summary: Summary, min_ratio: float | None) -> Marks:
    """`min_ratio`: the endpoint's target for its median ratio; None for the baseline, which has no ratio."""
    return Marks(
        ratio=None if summary.ratio is None or min_ratio is None else summary.ratio.median >= min_ratio,
        p99_ratio=None if summary.p99_ratio is None else summary.p99_ratio <= MAX_P99_RATIO,
        errors=summary.errors == 0,
    )
