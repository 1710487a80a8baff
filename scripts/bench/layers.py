"""Where a request's time goes: py-spy's samples (its `raw` format, one collapsed stack and a count per line)
grouped into the layers of a request, each sample given to the deepest frame that names a layer.

The deepest frame decides because layers nest: the view runs inside spectree's wrapper, SQLAlchemy inside the
view, psycopg2's round trips inside SQLAlchemy. A sample that no rule claims is counted as `other`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from registry import NAMES

Rule = tuple[str, Callable[[str], bool]]  # (layer, whether a frame `function (path:line)` belongs to it)

# Checked in order for each frame, deepest frame first: the first rule that claims a frame names the layer.
RULES: list[Rule] = [
    ("db: pre-ping SELECT 1", lambda frame: "do_ping" in frame),
    ("db: ROLLBACK on close", lambda frame: "do_rollback" in frame or "_rollback_impl" in frame),
    ("db: COMMIT", lambda frame: "do_commit" in frame or "_commit_impl" in frame),
    ("db: statements (BEGIN and the query)", lambda frame: "do_execute" in frame),
    ("db: connect", lambda frame: "psycopg2/__init__" in frame),
    ("db: pool checkout and return", lambda frame: "sqlalchemy/pool/" in frame or "service_core/db.py" in frame),
    ("SQLAlchemy ORM and Core", lambda frame: "sqlalchemy/" in frame),
    ("metrics (prometheus_client)", lambda frame: "prometheus_client/" in frame),
    ("access log", lambda frame: "logging/__init__" in frame or "AccessLog" in frame or "JsonFormatter" in frame),
    ("request id, timing (observability hooks)", lambda frame: "service_core/observability.py" in frame),
    ("token check", lambda frame: "service_core/auth.py" in frame or "service_core/bearer.py" in frame),
    ("response validation", lambda frame: "validate_response" in frame or "check_response" in frame),
    ("response bodies (as_json)", lambda frame: "service_core/responses.py" in frame),
    ("request validation", lambda frame: "spectree/" in frame or "service_core/validation.py" in frame),
    # py-spy writes paths relative to sys.path: a view is `get_post (posts/api.py:81)`.
    ("views and service_core", lambda frame: "service_core/" in frame or any(f"({name}/" in frame for name in NAMES)),
    ("Flask and Werkzeug", lambda frame: "flask/" in frame or "werkzeug/" in frame),
    ("gunicorn (HTTP parsing, sockets)", lambda frame: "gunicorn/" in frame),
]
OTHER = "other"


def frames_of(line: str) -> tuple[list[str], int] | None:
    """One raw line: its frames, outermost first (without py-spy's `process …` prefixes), and its count; None
    for a line that does not end in a count (a frame name with a line break in it, which py-spy writes as it is)."""
    stack, _, count = line.rstrip("\n").rpartition(" ")
    if not count.isdigit():
        return None
    return [frame for frame in stack.split(";") if frame and not frame.startswith("process ")], int(count)


def idle(frames: list[str]) -> bool:
    """A thread waiting for work: gunicorn's poll loop, or a pool thread waiting on its queue."""
    leaf = frames[-1] if frames else ""
    return "wait_for_and_dispatch_events" in leaf or "select (selectors" in leaf or "concurrent/futures/thread" in leaf


def _neutral(frame: str) -> bool:
    """pydantic works for whoever calls it (request validation, response bodies): its caller decides."""
    return "pydantic" in frame


def layer_of(frames: list[str], rules: list[Rule] = RULES) -> str:
    for frame in reversed(frames):
        if _neutral(frame):
            continue
        for layer, claims in rules:
            if claims(frame):
                return layer
    return OTHER


def shares(raw_lines: Iterable[str]) -> dict[str, float]:
    """Each layer's share of the busy samples (idle threads left out), largest first; they sum to 1."""
    counts: Counter[str] = Counter()
    for line in raw_lines:
        sample = frames_of(line)
        if sample is None:
            continue
        frames, count = sample
        if not idle(frames):
            counts[layer_of(frames)] += count
    total = sum(counts.values())
    return {layer: count / total for layer, count in counts.most_common()} if total else {}
