"""`make cluster-verify`: checks the running Minikube cluster that `make cluster` made.

Every pod Ready, every HPA reading metrics, the NetworkPolicies present, the user journey over the
NodePorts, and one forbidden connection (the routes app to the users database) failing from inside the
cluster while the allowed one (to its own database) succeeds. Exit 0 only if everything passes.

usage: python -m bootstrap.verify [--dry-run] [--host HOST] [--service-url SVC=URL ...]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import registry
from bootstrap.config import APP_NAMESPACE, PROFILE
from bootstrap.errors import BootstrapError
from bootstrap.verify.checks import (
    Finding,
    hpas_reading_metrics,
    isolation_verdict,
    network_policies_present,
    pick_pod,
    pods_ready,
    probe_command,
)
from bootstrap.verify.journey import OUTLINE, run_journey

# The forbidden connection: an app to another service's database; the control: to its own.
SOURCE, ALLOWED, FORBIDDEN = "routes", ("routes-db", 5432), ("users-db", 5432)


def at(target: tuple[str, int]) -> str:
    return f"{target[0]}:{target[1]}"


@dataclass
class Context:
    kube: Any  # bootstrap.kube.Kube
    host: str | None  # where the NodePorts are; None: the node's InternalIP
    service_urls: dict[str, str]


@dataclass(frozen=True)
class Check:
    what: str  # printed by the dry run
    run: Callable[[Context], list[Finding]]


def journey(ctx: Context) -> list[Finding]:
    import requests

    host = ctx.host or ctx.kube.node_ip()
    urls = {svc: ctx.service_urls.get(svc, f"http://{host}:{port}") for svc, port in registry.PORTS.items()}
    with requests.Session() as session:
        return run_journey(session, urls)


def isolation(ctx: Context) -> list[Finding]:
    picked = pick_pod(ctx.kube.pods(APP_NAMESPACE), SOURCE)
    if picked is None:
        return [Finding("isolation", False, f"no Ready {SOURCE} api pod to probe from")]
    pod, container = picked
    outputs = [
        ctx.kube.exec_in_pod(APP_NAMESPACE, pod, container, probe_command(*target)) for target in (ALLOWED, FORBIDDEN)
    ]
    return [isolation_verdict(f"{SOURCE} pod {pod}", at(ALLOWED), outputs[0], at(FORBIDDEN), outputs[1])]


CHECKS = (
    Check(
        f"api   list Pods {APP_NAMESPACE}: every one Ready (finished Job pods aside), a Ready api and"
        " database pod per service",
        lambda ctx: pods_ready(ctx.kube.pods(APP_NAMESPACE), registry.NAMES),
    ),
    Check(
        f"api   list HorizontalPodAutoscalers {APP_NAMESPACE}: {', '.join(registry.NAMES)} each read a CPU value"
        " (not <unknown>)",
        lambda ctx: hpas_reading_metrics(ctx.kube.hpas(APP_NAMESPACE), registry.NAMES),
    ),
    Check(
        f"api   list NetworkPolicies {APP_NAMESPACE}: at least one <svc>-network* per service",
        lambda ctx: network_policies_present(ctx.kube.network_policies(APP_NAMESPACE), registry.NAMES),
    ),
    Check(
        "api   read Node addresses (the Minikube IP), then http over the NodePorts "
        f"{', '.join(str(port) for port in registry.PORTS.values())}: {OUTLINE}",
        journey,
    ),
    Check(
        f"api   exec in a Ready {SOURCE} api pod: python connects to {at(ALLOWED)} (must open: the"
        f" control) and to {at(FORBIDDEN)} (must fail: the NetworkPolicy)",
        isolation,
    ),
)


def verify(ctx: Context, out: TextIO, checks: Sequence[Check] = CHECKS) -> bool:
    ok = True
    for check in checks:
        try:
            findings = check.run(ctx)
        except Exception as error:  # an API error in one check should not hide the others' results
            findings = [
                Finding(check.what.split(":")[0].removeprefix("api   "), False, f"{type(error).__name__}: {error}")
            ]
        for finding in findings:
            print(finding, file=out, flush=True)
            ok = ok and finding.ok
    return ok


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the checks; contact nothing")
    parser.add_argument("--host", help="host of the NodePorts (default: the Minikube node's IP)")
    parser.add_argument(
        "--service-url",
        action="append",
        default=[],
        metavar="SVC=URL",
        help="base URL of one service, e.g. users=http://127.0.0.1:51234 from"
        " `minikube service --url` (Docker driver on macOS)",
    )
    args = parser.parse_args(argv)
    urls = {}
    for item in args.service_url:
        service, _, url = item.partition("=")
        if service not in registry.NAMES or not url:
            parser.error(f"--service-url {item!r}: expected SVC=URL with SVC one of {', '.join(registry.NAMES)}")
        urls[service] = url.rstrip("/")
    args.service_urls = urls
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, connect: Callable[[], Any] | None = None) -> int:
    args = parse_args(argv)
    out = out or sys.stdout
    if args.dry_run:
        print("Dry run of `make cluster-verify`: nothing below is read from the cluster or sent.", file=out)
        for number, check in enumerate(CHECKS, 1):
            print(f"{number:>4}. {check.what}", file=out)
        return 0
    try:
        if connect is None:
            from bootstrap.kube import Kube

            kube = Kube(PROFILE)
        else:
            kube = connect()
    except BootstrapError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    ok = verify(Context(kube, args.host, args.service_urls), out)
    print("cluster verified" if ok else "cluster-verify: some checks failed (see FAIL above)", file=out)
    return 0 if ok else 1
