"""Who may connect to whom: as network-config-analyzer (nca) computes it from the rendered NetworkPolicies
and workloads, and as the connectivity tables of design.md say it (one per profile), in one comparable form.

A connectivity map is {(source, destination): connections}. Endpoints are `namespace/workload`, plus
INTERNET (any address outside the cluster); connections are strings such as `TCP/5000`, or `all`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.policy import contract
from tests.support.manifests import Obj, apps, env_value, main_container

Pair = tuple[str, str]
Connectivity = dict[Pair, frozenset[str]]

FIXTURES = Path(__file__).parent / "fixtures" / "cluster.yaml"
INTERNET = "internet"
DNS = "kube-system/coredns"  # the cluster DNS pods (label k8s-app: kube-dns), from the fixtures
CLIENT = "elsewhere/client"  # a pod in another namespace, from the fixtures
INGRESS = "ingress-nginx/ingress-nginx-controller"  # the ingress controller, from the fixtures
ALL = frozenset({"all"})

_LINE = re.compile(r"^(?P<src>\S+) => (?P<dst>\S+) : (?P<conn>.+)$")
_GROUP = re.compile(r"\{protocols:(?P<protocols>[^}]*?)(?:,dst_ports:(?P<ports>[^}]*))?\}")
_KIND = re.compile(r"\[\w+\]$")
_EVERY_ADDRESS = {"0.0.0.0-255.255.255.255", "0.0.0.0/0"}


def tcp(port: int) -> frozenset[str]:
    return frozenset({f"TCP/{port}"})


def app(service: str) -> str:
    return f"{contract.NAMESPACE}/{service}"


def job(service: str) -> str:
    return f"{contract.NAMESPACE}/{service}-migrate"


def database(service: str) -> str:
    return f"{contract.NAMESPACE}/{service}-db"


def backup(service: str) -> str:
    """The database's backup CronJob, whose pods nca names after it."""
    return f"{contract.NAMESPACE}/{service}-db-backup"


# --- The tables of design.md -----------------------------------------------------------------------

TOKEN_CHECK = "routes, posts, offers to users on TCP 5000"  # the one row the isolated table has not
BACKUP_ROW = "backup CronJob to own database on TCP 5432 and kube-dns on UDP and TCP 53"


def profile(docs: list[Obj]) -> str:
    """The profile the rendered apps run (AUTH_PROFILE, token when unset): one for the whole environment."""
    found = {
        (env_value(main_container(one), contract.PROFILE_ENV) or {}).get("value", contract.TOKEN) for one in apps(docs)
    }
    if len(found) != 1:
        raise ValueError(f"the apps of one environment run {len(found)} profiles: {', '.join(sorted(found))}")
    return found.pop()


# Who may call the apps, by environment: Minikube's NodePorts take anyone, production's Ingress is the way in.
CALLERS = {
    "minikube": ("anywhere to each app on TCP 5000", (INTERNET, CLIENT, DNS, INGRESS)),
    "production": ("the ingress controller to each app on TCP 5000", (INGRESS,)),
}


def rows(profile: str, env: str = "minikube") -> dict[str, Connectivity]:
    """The profile's table in `env`, row by row: the pairs each row allows, with their connections. Any other
    pair is denied. The isolated table is the token table without the token check."""
    if profile not in contract.PROFILES:
        raise ValueError(f"no connectivity table for the profile {profile!r}")
    services = contract.SERVICES
    callers_row, callers = CALLERS[env]
    table = {
        callers_row: {(source, app(s)): tcp(contract.APP_PORT) for s in services for source in callers},
        "app and migration Job to own database on TCP 5432": {
            (client(s), database(s)): tcp(contract.DATABASE_PORT) for s in services for client in (app, job)
        },
        TOKEN_CHECK: {(app(s), app("users")): tcp(contract.APP_PORT) for s in contract.TOKEN_CLIENTS},
        "apps and migration Jobs to kube-dns on UDP and TCP 53": {
            (client(s), DNS): frozenset({"TCP/53", "UDP/53"}) for s in services for client in (app, job)
        },
        BACKUP_ROW: {(backup(s), database(s)): tcp(contract.DATABASE_PORT) for s in services}
        | {(backup(s), DNS): frozenset({"TCP/53", "UDP/53"}) for s in services},
    }
    if profile == contract.ISOLATED:
        del table[TOKEN_CHECK]
    return table


def expected(profile: str, env: str = "minikube") -> Connectivity:
    """The profile's whole table in `env`: every pair it allows, with its connections."""
    return {pair: connections for row in rows(profile, env).values() for pair, connections in row.items()}


# --- nca ---------------------------------------------------------------------------------------------


def _endpoint(text: str) -> str:
    if text in _EVERY_ADDRESS:
        return INTERNET
    return _KIND.sub("", text)  # `default/users[Deployment]` -> `default/users`; other address ranges stay


def parse_connections(text: str) -> frozenset[str]:
    """`{protocols:TCP, UDP,dst_ports:53}` -> {TCP/53, UDP/53}; `All connections` -> ALL."""
    if text.strip() == "All connections":
        return ALL
    found = set()
    for group in _GROUP.finditer(text):
        ports = (group["ports"] or "all").split(",")
        for protocol in group["protocols"].split(","):
            found.update(f"{protocol.strip()}/{port.strip()}" for port in ports)
    if not found:
        raise ValueError(f"nca printed a connection this parser does not know: {text!r}")
    return frozenset(found)


def parse(output: str) -> Connectivity:
    """nca's `txt_no_fw_rules` output: one `source => destination : connections` line per allowed pair."""
    result: Connectivity = {}
    for line in output.splitlines():
        match = _LINE.match(line.strip())
        if match:
            pair = (_endpoint(match["src"]), _endpoint(match["dst"]))
            result[pair] = result.get(pair, frozenset()) | parse_connections(match["conn"])
    return result


def nca(docs: list[Obj], scratch: Path) -> Connectivity:
    """Run nca on the rendered objects (and the fixtures); keep the pairs that involve the marketplace."""
    manifests = scratch / "manifests.yaml"
    manifests.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    command = [
        str(Path(sys.executable).parent / "nca"),
        "--connectivity", str(manifests),
        "--resource_list", str(manifests),
        "--resource_list", str(FIXTURES),
        "--output_format", "txt_no_fw_rules",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"nca failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    ours = f"{contract.NAMESPACE}/"
    return {pair: conn for pair, conn in parse(result.stdout).items() if any(e.startswith(ours) for e in pair)}


def differences(computed: Connectivity, table: Connectivity) -> list[str]:
    """Every pair whose connections differ from the table, named `source => destination`."""

    def shown(connections: frozenset[str] | None) -> str:
        return ", ".join(sorted(connections)) if connections else "nothing"

    return [
        f"{src} => {dst}: allows {shown(computed.get((src, dst)))}, the table {shown(table.get((src, dst)))}"
        for src, dst in sorted(computed.keys() | table.keys())
        if computed.get((src, dst)) != table.get((src, dst))
    ]
