"""A closed-loop HTTP load generator: N threads, each with its own keep-alive connection, for a fixed time.

The fallback of generator.py where wrk is missing: it runs in Python beside the services, so it takes CPU from
them and its figures are lower than wrk's.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import requests

from scripts.bench.endpoints import Endpoint
from scripts.bench.result import Result

# One request: (method, url, headers, json body or None) made fresh per call (e.g. unique bodies).
RequestFactory = Callable[[], tuple[str, str, dict[str, str], object]]


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def run_load(
    make_request: RequestFactory, *, expect: int, concurrency: int, seconds: float, warmup: float = 1.0
) -> Result:
    latencies: list[float] = []
    unexpected: Counter[str] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + warmup + seconds
    measure_from = time.monotonic() + warmup

    def worker() -> None:
        session = requests.Session()
        mine: list[float] = []
        failed: Counter[str] = Counter()
        while (now := time.monotonic()) < stop_at:
            method, url, headers, body = make_request()
            started = time.perf_counter()
            try:
                status = session.request(method, url, headers=headers, json=body, timeout=10).status_code
            except requests.RequestException:
                status = 0
            elapsed = time.perf_counter() - started
            if now >= measure_from:
                mine.append(elapsed)
                if status != expect:
                    failed[str(status)] += 1
        with lock:
            latencies.extend(mine)
            unexpected.update(failed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return Result(
        requests=len(latencies),
        errors=sum(unexpected.values()),
        error_statuses=dict(unexpected),
        seconds=seconds,
        rps=len(latencies) / seconds,
        p50_ms=percentile(latencies, 0.5) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )


def median_latency_ms(make_request: RequestFactory, *, expect: int, count: int) -> float:
    """Sequential requests (no queueing): the latency of the query itself."""
    session = requests.Session()
    samples = []
    for _ in range(count):
        method, url, headers, body = make_request()
        started = time.perf_counter()
        status = session.request(method, url, headers=headers, json=body, timeout=10).status_code
        samples.append(time.perf_counter() - started)
        if status != expect:
            raise RuntimeError(f"{method} {url} answered {status}, expected {expect}")
    return statistics.median(samples) * 1000


@dataclass
class PythonLoad:
    """The load generator interface of generator.py over run_load."""

    connections: int

    @property
    def description(self) -> str:
        return f"the Python load generator (scripts/bench/load.py), {self.connections} connections"

    def run(self, endpoint: Endpoint, seconds: int) -> Result:
        def make_request() -> tuple[str, str, dict[str, str], object]:
            return endpoint.method, endpoint.url, endpoint.headers, endpoint.body()

        # No warm-up of its own: the benchmark runs a warm-up run before it measures, whatever the generator.
        return run_load(make_request, expect=endpoint.expect, concurrency=self.connections, seconds=seconds, warmup=0)
