"""`python -m bootstrap.cluster {up,down,sync} [--dry-run]`: the Makefile's cluster, cluster-down and sync.

up    Minikube (Calico, metrics-server) -> the minikube environment's images -> DB secrets -> Argo CD
      -> the root Application (and its AppProject, once) -> wait; everything else comes from Git.
down  deletes the Minikube profile.
sync  asks Argo CD for a hard refresh of every Application.
With --dry-run every command and API call is printed, in order, and nothing is run, read or changed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from bootstrap import argocd_objects, config, images, plan
from bootstrap.config import MINIKUBE_MINIMUM, PROFILE, Settings
from bootstrap.errors import BootstrapError
from bootstrap.executor import DryRun, Executor, RealRun
from bootstrap.kube import Kube
from bootstrap.prereqs import Tools, VersionReader, find_tools, read_minikube_version
from bootstrap.steps import Command, shown

TARGETS = {"up": "make cluster", "down": "make cluster-down", "sync": "make sync"}


def report_preflight(
    out: TextIO, tools: Tools, problems: Sequence[str], dry_run: bool, checks_version: bool = False
) -> bool:
    """Prints what was found and what is missing; True when the run may go on (a dry run always goes on,
    to show the whole plan)."""
    print("\nPrerequisites", file=out)
    unread = f"a real run checks for {MINIKUBE_MINIMUM} or newer" if dry_run and checks_version else ""
    version = tools.minikube_version or unread
    for name, value in (("minikube", tools.minikube), ("kubectl", tools.kubectl), ("driver", tools.driver)):
        if value:
            detail = f" ({version})" if name == "minikube" and version else ""
            print(f"  found    {name}: {shown(value, bare=False)}{detail}", file=out)
    blockers = [*tools.missing, *problems]
    stream = out if dry_run else sys.stderr
    for sentence in blockers:
        print(f"  MISSING  {sentence}", file=stream)
    if blockers and dry_run:
        print("  (a real run would stop here; the steps below use placeholders instead)", file=out)
    return dry_run or not blockers


ArgoObject = dict[str, Any] | None  # None: its file is missing


def load_argocd_objects() -> tuple[ArgoObject, ArgoObject, list[str]]:
    """The committed root AppProject and root Application, and a sentence for each file that is missing."""
    problems: list[str] = []

    def load(path: Path) -> ArgoObject:
        if path.is_file():
            return argocd_objects.load(path)
        problems.append(f"{path.relative_to(config.REPO_ROOT)} is missing: it comes with the gitops/ tree.")
        return None

    return load(config.ROOT_PROJECT_FILE), load(config.ROOT_APP_FILE), problems


def print_settings(out: TextIO, settings: Settings) -> None:
    print("\nSettings", file=out)
    print(f"  REPO_URL     = {settings.repo_url}  ({settings.repo_url_source})", file=out)
    print(
        f"  REVISION     = {settings.revision}  ({settings.revision_source}; Argo CD clones it from inside"
        " the cluster, so it must be pushed)",
        file=out,
    )
    print(
        f"  WAIT_TIMEOUT = {settings.wait_timeout:.0f} s;  Minikube: {settings.cpus} CPUs,"
        f" {settings.memory} memory, Kubernetes {config.KUBERNETES_VERSION}",
        file=out,
    )


def put_images(run: Executor, minikube: str, wanted: list[images.Image]) -> None:
    """Every image of the minikube environment into the profile's image store, before Argo CD's first sync:
    a hook Job whose image cannot be pulled blocks every later sync wave until its deadline."""
    builds = plan.image_steps(minikube, wanted, run(plan.read_images(minikube)))
    for step in builds:
        run(step)
    if not any(isinstance(step, Command) for step in builds):
        return
    absent = images.missing(wanted, run(plan.check_images(minikube)))
    if absent:
        raise BootstrapError(
            f"after `minikube -p {PROFILE} image build` the profile's image store still lacks {', '.join(absent)}:"
            " the build failed (its output is above); fix it and run `make cluster` again."
        )


def up(
    run: Executor,
    tools: Tools,
    settings: Settings,
    wanted: list[images.Image],
    root_project: ArgoObject,
    root_app: ArgoObject,
    out: TextIO,
    platform: str,
) -> list[str]:
    """Runs (or prints) every step in order; returns the lines that tell the user where things are."""
    minikube, kubectl = tools.minikube or "minikube", tools.kubectl or "kubectl"
    running = run(plan.minikube_status(minikube))
    for step in plan.start_minikube(minikube, tools.driver, settings, running):
        run(step)
    calico, metrics_server = (run(step) for step in plan.read_addons())
    problems = plan.addon_problems(calico, metrics_server)
    if problems:
        raise BootstrapError(" ".join(problems))
    put_images(run, minikube, wanted)
    existing = run(plan.list_secrets())
    for step in plan.secret_steps(None if existing is None else set(existing)):
        run(step)
    for step in plan.install_argocd(kubectl, run(plan.read_argocd())):
        run(step)
    for step in plan.apply_argocd_objects(root_project, root_app, settings):
        run(step)
    pending = run(plan.wait_applications(settings, out))
    if pending:
        listed = "; ".join(f"{name}: {state}" for name, state in pending.items())
        raise BootstrapError(
            f"after {settings.wait_timeout:.0f} s these Applications are not Synced and Healthy: {listed}."
            f" Look at them with `kubectl --context {PROFILE} -n argocd get applications` or in the Argo CD"
            " UI, then run `make cluster` again (it keeps what is done)."
        )
    ip, password = (run(step) for step in plan.read_access())
    return plan.summary(ip, password, tools.driver, platform)


def down(run: Executor, tools: Tools) -> None:
    run(plan.delete_minikube(tools.minikube or "minikube"))


def sync(run: Executor, out: TextIO) -> None:
    names = run(plan.list_applications())
    if names == []:
        raise BootstrapError("there is no Application in namespace argocd: run `make cluster` first.")
    for step in plan.refresh_steps(names):
        run(step)
    if names is not None:  # not in a dry run
        print(
            f"Argo CD re-reads the repository now; watch it with `kubectl --context {PROFILE} -n argocd get"
            " applications -w`.",
            file=out,
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bootstrap.cluster", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=TARGETS)
    parser.add_argument(
        "--dry-run", action="store_true", help="print every command and API call in order; run, read and change nothing"
    )
    return parser.parse_args(argv)


def run_up(
    run: Executor,
    env: Mapping[str, str],
    executable: str,
    out: TextIO,
    dry_run: bool,
    platform: str,
    version_of: VersionReader,
) -> int:
    tools = find_tools(env, executable, version_of=version_of)
    settings = config.resolve_settings(env, config.git_runner(env))
    wanted, unreadable = images.wanted_images()
    root_project, root_app, missing_files = load_argocd_objects()
    if not report_preflight(
        out, tools, [*settings.problems, *unreadable, *missing_files], dry_run, checks_version=True
    ):
        return 1
    print_settings(out, settings)
    print("\nSteps", file=out)
    lines = up(run, tools, settings, wanted, root_project, root_app, out, platform)
    print("\nThen it prints" if dry_run else "\nThe cluster is ready", file=out)
    for line in lines:
        print(f"  {line}", file=out)
    return 0


def run_down(run: Executor, env: Mapping[str, str], executable: str, out: TextIO, dry_run: bool) -> int:
    tools = find_tools(env, executable, need_kubectl=False, need_driver=False)
    if not report_preflight(out, tools, [], dry_run):
        return 1
    print("\nSteps", file=out)
    down(run, tools)
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    executable: str | None = None,
    facts: Mapping[str, Any] | None = None,
    connect: Callable[[], Kube] | None = None,
    out: TextIO | None = None,
    platform: str | None = None,
) -> int:
    """Everything the outside world provides can be injected, so that tests need no cluster and no tools:
    `env` (PATH, REPO_URL...), the Python `executable` (kubectl is looked up next to it), the `facts` a dry
    run pretends to read, and `connect` for the API."""
    args = parse_args(argv)
    env = os.environ if env is None else env
    out = out or sys.stdout
    executable = executable or sys.executable
    run: Executor = DryRun(out, facts) if args.dry_run else RealRun(out, env, connect or (lambda: Kube(PROFILE)))
    # The dry run runs no program: minikube's version is a fact it may be told, like what it would read.
    version_of: VersionReader = (
        (lambda _: (facts or {}).get("minikube_version"))
        if args.dry_run
        else (lambda minikube: read_minikube_version(minikube, env))
    )
    if args.dry_run:
        print(
            f"Dry run of `{TARGETS[args.command]}`: nothing below is run, read from the cluster or changed.", file=out
        )
    try:
        if args.command == "up":
            return run_up(run, env, executable, out, args.dry_run, platform or sys.platform, version_of)
        if args.command == "down":
            return run_down(run, env, executable, out, args.dry_run)
        print("\nSteps", file=out)
        sync(run, out)
        return 0
    except BootstrapError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
