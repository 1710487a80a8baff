"""Collect what explains a failed `make cluster` or `make cluster-verify` into one folder; e2e.yml uploads it.

    python3 -m bootstrap.diagnostics --out DIR [--dry-run]

With the kubectl of .venv/bin (else the one on PATH), bound to the Minikube profile's context: the
Applications' status, the pods and events of `default` and `argocd`, `kubectl describe pods`, and the logs,
current and previous, of every container of every pod there. A command that fails leaves its error in its
file and the next one runs: a half-made cluster is exactly when this is needed. Exit 1 only when kubectl is
missing. Standard library only (with bootstrap.config and bootstrap.prereqs): e2e.yml runs it with the
runner's bare python3, since `make cluster` may have failed before the venv was made.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bootstrap.config import APP_NAMESPACE, ARGOCD_NAMESPACE, PROFILE, REPO_ROOT
from bootstrap.prereqs import KUBECTL_HINT, find_kubectl

NAMESPACES = (APP_NAMESPACE, ARGOCD_NAMESPACE)
TIMEOUT = 60  # seconds per command: a wedged API server must not eat the step's whole timeout
# One line per pod: its name, then the names of its init containers and containers.
CONTAINERS = (
    "jsonpath={range .items[*]}{.metadata.name}{' '}{range .spec.initContainers[*]}{.name}{' '}{end}"
    "{range .spec.containers[*]}{.name}{' '}{end}{'\\n'}{end}"
)

Run = Callable[[Sequence[str]], tuple[int, str]]  # argv -> (exit status, stdout and stderr)


@dataclass(frozen=True)
class Capture:
    file: str  # relative to the output folder
    argv: tuple[str, ...]  # the kubectl arguments after --context and --namespace


def overview(namespace: str) -> list[Capture]:
    """What is read once per namespace; the Applications live in argocd only."""
    captures = [
        Capture(f"{namespace}/pods.txt", ("get", "pods", "--output=wide")),
        Capture(f"{namespace}/events.txt", ("get", "events", "--sort-by=.lastTimestamp")),
        Capture(f"{namespace}/describe-pods.txt", ("describe", "pods")),
    ]
    if namespace == ARGOCD_NAMESPACE:
        captures.insert(0, Capture(f"{namespace}/applications.yaml", ("get", "applications", "--output=yaml")))
    return captures


def parse_containers(listing: str) -> dict[str, list[str]]:
    """The CONTAINERS listing as pod -> container names."""
    pods = {}
    for line in listing.splitlines():
        names = line.split()
        if names:
            pods[names[0]] = names[1:]
    return pods


def log_captures(namespace: str, pods: dict[str, list[str]]) -> list[Capture]:
    """Current and previous logs of each container: a crash loop shows its cause in the previous one."""
    return [
        Capture(
            f"{namespace}/logs/{pod}.{container}{suffix}.log",
            ("logs", pod, f"--container={container}", "--timestamps", *flags),
        )
        for pod, containers in pods.items()
        for container in containers
        for suffix, flags in (("", ()), (".previous", ("--previous",)))
    ]


def kubectl_runner(kubectl: str, env: dict[str, str]) -> Run:
    def run(argv: Sequence[str]) -> tuple[int, str]:
        try:
            done = subprocess.run(
                [kubectl, *argv], env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            return 124, f"timed out after {TIMEOUT} s\n"
        return done.returncode, done.stdout + done.stderr

    return run


def scoped(namespace: str, argv: Iterable[str]) -> list[str]:
    return [f"--context={PROFILE}", f"--namespace={namespace}", *argv]


def collect(out: Path, run: Run, report: Callable[[str], None] = print) -> int:
    """Writes every capture under `out`; returns how many commands failed."""
    failed = 0

    def save(namespace: str, capture: Capture) -> str:
        nonlocal failed
        status, text = run(scoped(namespace, capture.argv))
        path = out / capture.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if status == 0 else f"$ kubectl {' '.join(capture.argv)}\nexit {status}\n{text}")
        failed += status != 0
        report(f"{'ok  ' if status == 0 else 'FAIL'}  {capture.file}")
        return text if status == 0 else ""

    for namespace in NAMESPACES:
        for capture in overview(namespace):
            save(namespace, capture)
        listing = save(namespace, Capture(f"{namespace}/containers.txt", ("get", "pods", f"--output={CONTAINERS}")))
        for capture in log_captures(namespace, parse_containers(listing)):
            save(namespace, capture)
    return failed


def main(argv: Sequence[str] | None = None, env: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder to write into (created)")
    parser.add_argument("--dry-run", action="store_true", help="print the commands; contact nothing")
    args = parser.parse_args(argv)
    env = dict(os.environ if env is None else env)
    if args.dry_run:
        for namespace in NAMESPACES:
            for capture in [*overview(namespace), *log_captures(namespace, {"<pod>": ["<container>"]})]:
                print(f"kubectl {' '.join(scoped(namespace, capture.argv))}  > {args.out / capture.file}")
        return 0
    kubectl = find_kubectl(env, str(REPO_ROOT / ".venv" / "bin" / "python"))  # the pinned one, if installed
    if kubectl is None:
        print(KUBECTL_HINT, file=sys.stderr)
        return 1
    failed = collect(args.out, kubectl_runner(kubectl, env))
    print(f"diagnostics in {args.out}: {failed} command(s) failed (their errors are in their files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
