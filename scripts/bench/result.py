"""What one load run measured, whichever generator ran it (wrk.py or load.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Result:
    requests: int
    errors: int
    # what went wrong -> how many: an unexpected status ("500"), or no answer ("0" from load.py, "socket connect",
    # "socket read", ... from wrk)
    error_statuses: dict[str, int]
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
