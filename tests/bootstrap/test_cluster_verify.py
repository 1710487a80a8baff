"""`make cluster-verify` (python -m bootstrap.verify): its dry run, and how it runs the checks with a fake API."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

from bootstrap.config import REPO_ROOT
from bootstrap.verify import command
from bootstrap.verify.checks import Finding
from bootstrap.verify.command import Check, Context, isolation, main, verify
from tests.support.kube_objects import pod


def test_dry_run_lists_the_checks_and_contacts_nothing(tmp_path: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bootstrap.verify", "--dry-run"],
        cwd=REPO_ROOT,
        env={"PATH": str(tmp_path), "KUBECONFIG": str(tmp_path / "none")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(".")[0].strip() for line in lines[1:]] == ["1", "2", "3", "4", "5"]
    for needle in (
        "list Pods default",
        "list HorizontalPodAutoscalers default",
        "<svc>-network*",
        "POST /users/auth",
        "routes-db:5432 (must open",
        "users-db:5432 (must fail",
    ):
        assert needle in done.stdout


def test_without_a_cluster_it_says_so(capsys: Any, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    assert main([]) == 1
    assert "there is no kube context `marketplace`" in capsys.readouterr().err


class ExecKube:
    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs
        self.commands: list[tuple[str, str, str]] = []

    def pods(self, namespace: str) -> list[Any]:
        return [pod("routes-abc", "routes", "api")]

    def exec_in_pod(self, namespace: str, name: str, container: str, command: list[str]) -> str:
        target = next(host for host in self.outputs if host in command[2])
        self.commands.append((name, container, target))
        return self.outputs[target]


def test_isolation_probes_the_control_then_the_forbidden_connection() -> None:
    kube = ExecKube({"routes-db": "OPEN\n", "users-db": "BLOCKED TimeoutError timed out\n"})
    (finding,) = isolation(Context(kube, None, {}))
    assert finding.ok, finding.detail
    assert kube.commands == [("routes-abc", "routes", "routes-db"), ("routes-abc", "routes", "users-db")]


def test_a_check_that_raises_fails_alone(monkeypatch: Any) -> None:
    def boom(ctx: Context) -> list[Finding]:
        raise RuntimeError("API said no")

    checks = [
        Check("api   list Pods default: x", boom),
        Check("api   other: y", lambda ctx: [Finding("other", True, "fine")]),
    ]
    out = io.StringIO()
    assert verify(Context(None, None, {}), out, checks) is False
    assert out.getvalue().splitlines() == ["FAIL  list Pods default: RuntimeError: API said no", "PASS  other: fine"]


def test_service_urls_override_the_nodeports() -> None:
    args = command.parse_args(["--service-url", "users=http://127.0.0.1:5000/", "--host", "h"])
    assert args.service_urls == {"users": "http://127.0.0.1:5000"} and args.host == "h"
