"""The benchmark's statistics on fixed runs (scripts/bench/stats.py): medians, spreads, ratios paired with the
baseline run just before each, CPU per request, and the target marks."""

from __future__ import annotations

import math

import pytest

from scripts.bench.result import Result
from scripts.bench.stats import Marks, Pair, Run, Spread, marks, summarise_baseline, summarise_endpoint


def run(rps: float, p99_ms: float = 10.0, errors: int = 0, app_cpu_s: float = 1.0, seconds: float = 1.0) -> Run:
    requests = round(rps * seconds)
    result = Result(requests, errors, {"500": errors} if errors else {}, seconds, rps, p99_ms / 2, p99_ms)
    return Run(result, app_cpu_s=app_cpu_s, db_cpu_s=app_cpu_s / 4, load_cpu_s=app_cpu_s / 10)


# Rounds 1-3 of one endpoint: its req/s median equals the baseline's (200), but its paired ratios are
# 0.9, 1.0 and 0.8: the median ratio is 0.9, not the 1.0 that the ratio of the medians would give.
PAIRS = [
    Pair(1, "GET /x", baseline=run(100, p99_ms=10), measured=run(90, p99_ms=20, app_cpu_s=0.18)),
    Pair(2, "GET /x", baseline=run(200, p99_ms=10), measured=run(200, p99_ms=11, app_cpu_s=0.6)),
    Pair(3, "GET /x", baseline=run(300, p99_ms=40), measured=run(240, p99_ms=12, errors=2, app_cpu_s=0.24)),
    Pair(1, "GET /y", baseline=run(400), measured=run(100)),
]


def test_a_spread_is_the_median_and_the_extremes() -> None:
    assert Spread.of([3.0, 1.0, 2.0]) == Spread(2.0, 1.0, 3.0)
    assert Spread.of([4.0, 1.0, 2.0, 3.0]) == Spread(2.5, 1.0, 4.0)


def test_an_endpoint_is_summed_up_from_its_own_pairs_with_paired_ratios() -> None:
    summary = summarise_endpoint("GET /x", PAIRS)
    assert (summary.endpoint, summary.runs) == ("GET /x", 3)
    assert summary.rps == Spread(200, 90, 240)
    assert summary.ratio == Spread(0.9, 0.8, 1.0)
    assert summary.p99_ms == 12
    assert summary.p99_ratio == pytest.approx(1.1)  # of 2.0, 1.1 and 0.3
    assert summary.errors == 2
    assert summary.worst_round == 1  # 90 req/s
    # CPU per request: 180 ms / 90, 600 ms / 200, 240 ms / 240 requests -> 2, 3 and 1 ms.
    assert (summary.app_cpu_ms, summary.db_cpu_ms, summary.load_cpu_ms) == pytest.approx((2.0, 0.5, 0.2))


def test_the_baseline_is_every_baseline_run_of_the_setting() -> None:
    summary = summarise_baseline("baseline", PAIRS)
    assert summary.runs == 4 and summary.rps == Spread(250, 100, 400)
    assert summary.ratio is None and summary.p99_ratio is None
    assert summary.worst_round == 1 and summary.errors == 0


def test_a_run_without_requests_has_no_cpu_per_request() -> None:
    empty = run(0)
    assert math.isnan(empty.per_request_ms(1.0))
    assert math.isnan(Pair(1, "GET /z", baseline=empty, measured=run(10)).ratio)


@pytest.mark.parametrize(
    ("median_ratio", "min_ratio", "p99_ratio", "errors", "expected"),
    [
        (0.9, 0.9, 1.5, 0, Marks(ratio=True, p99_ratio=True, errors=True)),
        (0.89, 0.9, 1.51, 0, Marks(ratio=False, p99_ratio=False, errors=True)),
        (0.8, 0.8, 1.0, 1, Marks(ratio=True, p99_ratio=True, errors=False)),  # GET /posts?route='s target
        (0.79, 0.8, 1.0, 0, Marks(ratio=False, p99_ratio=True, errors=True)),
    ],
)
def test_each_target_is_marked(
    median_ratio: float, min_ratio: float, p99_ratio: float, errors: int, expected: Marks
) -> None:
    summary = summarise_endpoint("GET /x", PAIRS)
    summary.ratio, summary.p99_ratio, summary.errors = Spread(median_ratio, 0.1, 2.0), p99_ratio, errors
    assert marks(summary, min_ratio) == expected


def test_the_baseline_is_marked_for_errors_only() -> None:
    summary = summarise_baseline("baseline", PAIRS)
    assert marks(summary, None) == Marks(ratio=None, p99_ratio=None, errors=True)
    summary.errors = 1
    assert marks(summary, None).errors is False
