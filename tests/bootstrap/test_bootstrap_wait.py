"""Reading Application status, and the polling loop with a fake clock (no real waiting)."""

from __future__ import annotations

import io
from typing import Any

from bootstrap.wait import MISSING, AppState, app_state, app_states, changes, wait_for_applications
from tests.bootstrap.fake_kube import app

EXPECTED = ["marketplace-root", "users"]


def test_app_state_reads_sync_health_and_why() -> None:
    assert app_state(app("users")) == AppState("Synced", "Healthy")
    assert app_state({"metadata": {"name": "x"}}) == AppState("Unknown", "Unknown")
    failed = app("users", "OutOfSync", "Missing", operationState={"phase": "Failed", "message": "one\n two"})
    assert str(app_state(failed)) == "OutOfSync/Missing (sync Failed: one two)"
    error = app("users", "Unknown", "Healthy", conditions=[{"type": "ComparisonError", "message": "no repo"}])
    assert app_state(error).detail == "ComparisonError: no repo"
    message = "one or more objects failed to apply. Retrying attempt #2 at 3:04PM."
    retrying = app(
        "users", "OutOfSync", "Progressing", operationState={"phase": "Running", "retryCount": 2, "message": message}
    )
    assert app_state(retrying).detail == f"sync retrying: {message}"
    running = app("users", "OutOfSync", "Progressing", operationState={"phase": "Running", "message": "waiting"})
    assert app_state(running).detail == ""


def test_app_states_includes_expected_ones_not_created_yet() -> None:
    states = app_states([app("users")], EXPECTED)
    assert states == {"marketplace-root": MISSING, "users": AppState("Synced", "Healthy")}
    assert changes({}, states) == ["marketplace-root: not created yet/-", "users: Synced/Healthy  ok"]
    assert changes(states, states) == []


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def polls(*rounds: list[dict[str, Any]]) -> Any:
    answers = iter(rounds)
    last: list[list[dict[str, Any]]] = [[]]

    def list_apps() -> list[dict[str, Any]]:
        last[0] = next(answers, last[0])
        return last[0]

    return list_apps


def test_waits_until_all_are_ready_printing_each_change() -> None:
    clock, out = Clock(), io.StringIO()
    list_apps = polls(
        [],
        [app("marketplace-root"), app("users", "OutOfSync", "Missing")],
        [app("marketplace-root"), app("users", "OutOfSync", "Missing")],
        [app("marketplace-root"), app("users")],
    )
    pending = wait_for_applications(list_apps, EXPECTED, 600, out, clock=clock, sleep=clock.sleep)
    assert pending == {}
    assert out.getvalue().splitlines() == [
        "  [    0s] marketplace-root: not created yet/-",
        "  [    0s] users: not created yet/-",
        "  [    5s] marketplace-root: Synced/Healthy  ok",
        "  [    5s] users: OutOfSync/Missing",
        "  [   15s] users: Synced/Healthy  ok",
    ]


def test_gives_up_after_the_timeout_with_a_heartbeat_meanwhile() -> None:
    clock, out = Clock(), io.StringIO()
    stuck = [app("marketplace-root"), app("users", "Synced", "Progressing")]
    pending = wait_for_applications(polls(stuck), EXPECTED, 130, out, clock=clock, sleep=clock.sleep)
    assert pending == {"users": AppState("Synced", "Progressing")}
    assert clock.now == 130
    assert "  [   60s] still waiting for: users" in out.getvalue().splitlines()
