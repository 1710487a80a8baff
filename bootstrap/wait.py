"""Waiting for the Argo CD Applications: pure reading of their status, and the polling loop around it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

MAX_DETAIL = 160


@dataclass(frozen=True)
class AppState:
    sync: str
    health: str
    detail: str = ""  # why it is stuck, when Argo CD says so (a failed sync, an error condition)

    @property
    def ready(self) -> bool:
        return self.sync == "Synced" and self.health == "Healthy"

    def __str__(self) -> str:
        text = f"{self.sync}/{self.health}"
        return f"{text} ({self.detail})" if self.detail else text


MISSING = AppState("not created yet", "-")


def _detail(status: dict[str, Any]) -> str:
    operation = status.get("operationState") or {}
    if operation.get("phase") in ("Failed", "Error"):
        text = f"sync {operation['phase']}: {operation.get('message', '')}"
    elif operation.get("phase") == "Running" and operation.get("retryCount"):
        # A failed attempt that Argo CD will retry stays Running with its reason in the message
        # ("<why>. Retrying attempt #N at <time>.", controller/appcontroller.go of argoproj/argo-cd v3.5.1).
        text = f"sync retrying: {operation.get('message', '')}"
    else:
        errors = [c for c in status.get("conditions") or [] if c.get("type", "").endswith(("Error", "Warning"))]
        text = f"{errors[0]['type']}: {errors[0].get('message', '')}" if errors else ""
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


def app_state(app: dict[str, Any]) -> AppState:
    status = app.get("status") or {}
    return AppState(
        sync=(status.get("sync") or {}).get("status") or "Unknown",
        health=(status.get("health") or {}).get("status") or "Unknown",
        detail=_detail(status),
    )


def app_states(apps: Iterable[dict[str, Any]], expected: Iterable[str]) -> dict[str, AppState]:
    """Every expected Application (MISSING if not there yet) and every other one that exists, by name."""
    states = {name: MISSING for name in expected}
    states.update({app["metadata"]["name"]: app_state(app) for app in apps})
    return states


def not_ready(states: dict[str, AppState]) -> dict[str, AppState]:
    return {name: state for name, state in states.items() if not state.ready}


def changes(before: dict[str, AppState], after: dict[str, AppState]) -> list[str]:
    """One line per Application whose state changed (all of them on the first poll)."""
    return [
        f"{name}: {state}" + ("  ok" if state.ready else "")
        for name, state in after.items()
        if before.get(name) != state
    ]


def wait_for_applications(
    list_apps: Callable[[], list[dict[str, Any]]],
    expected: list[str],
    timeout: float,
    out: TextIO,
    *,
    interval: float = 5.0,
    heartbeat: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, AppState]:
    """Polls until every Application is Synced and Healthy, printing each change; returns the ones that are
    not ready when `timeout` seconds have passed (empty: success)."""
    start = last_print = clock()
    states: dict[str, AppState] = {}
    while True:
        now = clock()
        current = app_states(list_apps(), expected)
        lines = changes(states, current)
        if not lines and now - last_print >= heartbeat:
            waiting = ", ".join(sorted(not_ready(current)))
            lines = [f"still waiting for: {waiting}"]
        for line in lines:
            print(f"  [{now - start:5.0f}s] {line}", file=out, flush=True)
        if lines:
            last_print = now
        states = current
        pending = not_ready(states)
        if not pending or now - start >= timeout:
            return pending
        sleep(min(interval, max(0.0, timeout - (now - start))))
