"""The connectivity that network-config-analyzer computes from the rendered NetworkPolicies and workloads
is exactly the table of design.md: each row is allowed, with its ports, and every other pair is denied."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import permutations

import pytest

from tests.policy import connectivity as table
from tests.policy.breaches import Breach
from tests.policy.conftest import VARIANTS
from tests.policy.connectivity import DNS, INTERNET, Connectivity, Pair, app, database, differences, job, nca
from tests.policy.contract import NAMESPACE, SERVICES
from tests.policy.manifests import Obj, find

Computed = Callable[[str], Connectivity]  # variant -> its connectivity, computed once


@pytest.fixture(scope="session")
def computed(variant_docs: dict[str, list[Obj]], tmp_path_factory: pytest.TempPathFactory) -> Computed:
    """variant -> what nca computes for it, once per variant."""
    cache: dict[str, Connectivity] = {}

    def of(variant: str) -> Connectivity:
        if variant not in cache:
            cache[variant] = nca(variant_docs[variant], tmp_path_factory.mktemp("nca"))
        return cache[variant]

    return of


def _allowed(computed: Connectivity, pairs: Iterable[Pair]) -> dict[Pair, frozenset[str] | None]:
    return {pair: computed.get(pair) for pair in pairs}


@pytest.mark.parametrize("variant", VARIANTS)
def test_connectivity_is_exactly_the_table(variant: str, computed: Computed) -> None:
    assert differences(computed(variant), table.expected()) == []


# --- Allowed: each row of the table ------------------------------------------------------------------


@pytest.mark.parametrize("row", list(table.rows()))
@pytest.mark.parametrize("variant", VARIANTS)
def test_row_is_allowed(variant: str, row: str, computed: Computed) -> None:
    pairs = table.rows()[row]
    assert _allowed(computed(variant), pairs) == pairs


# --- Denied: what the table names, asserted one by one -----------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_app_or_migration_reaches_another_services_database(variant: str, computed: Computed) -> None:
    pairs = [(client(a), database(b)) for a, b in permutations(SERVICES, 2) for client in (app, job)]
    assert _allowed(computed(variant), pairs) == dict.fromkeys(pairs)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_database_reaches_nothing(variant: str, computed: Computed) -> None:
    databases = {database(s) for s in SERVICES}
    assert [pair for pair in computed(variant) if pair[0] in databases] == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_apps_and_migrations_reach_nothing_outside_the_namespace_but_dns(variant: str, computed: Computed) -> None:
    """No app reaches the internet (nor another namespace): beyond `default`, kube-dns only."""
    ours = {client(s) for s in SERVICES for client in (app, job)}
    outward = {(src, dst) for src, dst in computed(variant) if src in ours and not dst.startswith(f"{NAMESPACE}/")}
    assert outward == {(src, DNS) for src in ours}
    assert INTERNET not in {dst for _, dst in outward}


@pytest.mark.parametrize("variant", VARIANTS)
def test_databases_and_migrations_admit_no_one_else(variant: str, computed: Computed) -> None:
    """A database admits its own app and migration Job only; a migration Job admits no one."""
    for service in SERVICES:
        assert {src for src, dst in computed(variant) if dst == database(service)} == {app(service), job(service)}
        assert {src for src, dst in computed(variant) if dst == job(service)} == set()


# --- The check fails, naming the pair, when a policy is broken -------------------------------------


def _database_open_to_all(docs: list[Obj]) -> None:
    del find(docs, "NetworkPolicy", "users-network-database")["spec"]["ingress"][0]["from"]


def _egress_to_the_internet(docs: list[Obj]) -> None:
    policy = find(docs, "NetworkPolicy", "posts-network-api")
    policy["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]})


def _without_dns(docs: list[Obj]) -> None:
    find(docs, "NetworkPolicy", "offers-network-database-clients")["spec"]["egress"].pop(1)


@pytest.mark.parametrize(
    "breach, reported",
    [
        pytest.param(
            Breach("connectivity", "NetworkPolicy/users-network-database", "database open to all",
                   custom=_database_open_to_all),
            f"{INTERNET} => {database('users')}: ",
            id="database open to all",
        ),
        pytest.param(
            Breach("connectivity", "NetworkPolicy/posts-network-api", "app reaches the internet",
                   custom=_egress_to_the_internet),
            f"{app('posts')} => {INTERNET}: ",
            id="app reaches the internet",
        ),
        pytest.param(
            Breach("connectivity", "NetworkPolicy/offers-network-database-clients", "no DNS", custom=_without_dns),
            f"{app('offers')} => {DNS}: allows nothing",
            id="no DNS",
        ),
    ],
)
def test_connectivity_check_names_the_pair_a_broken_policy_changes(
    breach: Breach, reported: str, minikube: list[Obj], tmp_path_factory: pytest.TempPathFactory
) -> None:
    found = differences(nca(breach.applied_to(minikube), tmp_path_factory.mktemp("nca")), table.expected())
    assert any(violation.startswith(reported) for violation in found), found
