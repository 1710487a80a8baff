"""One measured request, described once for both load generators: wrk (wrk.py) and the Python one (load.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

MIN_RATIO = 0.9  # the target of an endpoint: at least this × the baseline's req/s, unless it says otherwise


def in_days(days: int) -> str:
    """A timestamp `days` from now, as the API takes it (`2030-01-01T00:00:00.000000Z`)."""
    return (datetime.now(UTC) + timedelta(days=days)).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: str
    expect: int  # the one status that counts as success
    headers: dict[str, str] = field(default_factory=dict)
    # Set: every request POSTs a body of its own, {"routeId": <a new UUID>, "expireAt": post_expire_at}.
    post_expire_at: str | None = None
    min_ratio: float = MIN_RATIO
    baseline: str = "read"  # the baseline app run paired with it: "read" (a PK lookup) or "write" (an INSERT)

    def body(self) -> dict[str, str] | None:
        if self.post_expire_at is None:
            return None
        return {"routeId": str(uuid.uuid4()), "expireAt": self.post_expire_at}
