"""The connectivity that network-config-analyzer computes from the rendered NetworkPolicies and workloads
is exactly the table of design.md for the profile the apps run (token or isolated): each row is allowed, with
its ports, and every other pair is denied."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from itertools import permutations

import pytest

from tests.policy import connectivity as table
from tests.policy.breaches import Breach
from tests.policy.connectivity import (
    DNS,
    INTERNET,
    Connectivity,
    Pair,
    app,
    backup,
    database,
    differences,
    job,
    nca,
)
from tests.policy.contract import ISOLATED, NAMESPACE, PROFILE_ENV, SERVICES, TOKEN
from tests.policy.variants import VARIANTS
from tests.support.manifests import Obj, apps, env_list, env_value, find, main_container, migrations

Computed = Callable[[str], Connectivity]  # variant -> its connectivity, computed once
ProfileOf = Callable[[str], str]  # variant -> the profile its apps run
ISOLATED_VARIANTS = [variant for variant in VARIANTS if ISOLATED in variant.split("+")]
APP_PAIRS = [(app(a), app(b)) for a, b in permutations(SERVICES, 2)]


def env_of(variant: str) -> str:
    return variant.split("+")[0]


ROWS = [(variant, row) for variant in VARIANTS for row in table.rows(ISOLATED, env_of(variant))]  # both tables' rows


@pytest.fixture(scope="session")
def computed(variant_docs: dict[str, list[Obj]], tmp_path_factory: pytest.TempPathFactory) -> Computed:
    """variant -> what nca computes for it, once per variant."""
    cache: dict[str, Connectivity] = {}

    def of(variant: str) -> Connectivity:
        if variant not in cache:
            cache[variant] = nca(variant_docs[variant], tmp_path_factory.mktemp("nca"))
        return cache[variant]

    return of


@pytest.fixture(scope="session")
def profile_of(variant_docs: dict[str, list[Obj]]) -> ProfileOf:
    return lambda variant: table.profile(variant_docs[variant])


def _allowed(computed: Connectivity, pairs: Iterable[Pair]) -> dict[Pair, frozenset[str] | None]:
    return {pair: computed.get(pair) for pair in pairs}


@pytest.mark.parametrize("variant", VARIANTS)
def test_connectivity_is_exactly_the_table(variant: str, computed: Computed, profile_of: ProfileOf) -> None:
    assert differences(computed(variant), table.expected(profile_of(variant), env_of(variant))) == []


# --- The profile: which table applies ----------------------------------------------------------------


@pytest.mark.parametrize("variant", ISOLATED_VARIANTS)
def test_the_isolated_component_switches_every_service(variant: str, variant_docs: dict[str, list[Obj]]) -> None:
    """Every app and migration Job runs AUTH_PROFILE=isolated, none has a USERS_PATH."""
    workloads = apps(variant_docs[variant]) + migrations(variant_docs[variant])
    assert len(workloads) == 2 * len(SERVICES)
    for workload in workloads:
        container = main_container(workload)
        assert env_value(container, PROFILE_ENV) == {"name": PROFILE_ENV, "value": ISOLATED}
        assert "USERS_PATH" not in {item["name"] for item in env_list(container)}


def test_an_environment_runs_one_profile(minikube_isolated: list[Obj]) -> None:
    """Half-switched (one app left in the default token profile), neither table applies."""
    broken = copy.deepcopy(minikube_isolated)
    container = main_container(find(broken, "Deployment", "posts"))
    container["env"].remove(env_value(container, PROFILE_ENV))
    with pytest.raises(ValueError, match=r"^the apps of one environment run 2 profiles: isolated, token$"):
        table.profile(broken)


# --- Allowed: each row of the table ------------------------------------------------------------------


@pytest.mark.parametrize("variant, row", ROWS)
def test_row_is_allowed(variant: str, row: str, computed: Computed) -> None:
    pairs = table.rows(ISOLATED, env_of(variant))[row]
    assert _allowed(computed(variant), pairs) == pairs


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_app_reaches_another_app_only_to_check_a_token(
    variant: str, computed: Computed, profile_of: ProfileOf
) -> None:
    """token: routes, posts and offers reach users on TCP 5000, and no app reaches any other app;
    isolated: no app reaches another app."""
    between_apps = {pair: connections for pair, connections in computed(variant).items() if pair in APP_PAIRS}
    token_check = table.rows(TOKEN)[table.TOKEN_CHECK]
    assert between_apps == (token_check if profile_of(variant) == TOKEN else {})


# --- Denied: what the table names, asserted one by one -----------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_app_or_migration_reaches_another_services_database(variant: str, computed: Computed) -> None:
    pairs = [(client(a), database(b)) for a, b in permutations(SERVICES, 2) for client in (app, job, backup)]
    assert _allowed(computed(variant), pairs) == dict.fromkeys(pairs)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_database_reaches_nothing(variant: str, computed: Computed) -> None:
    databases = {database(s) for s in SERVICES}
    assert [pair for pair in computed(variant) if pair[0] in databases] == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_apps_and_migrations_reach_nothing_outside_the_namespace_but_dns(variant: str, computed: Computed) -> None:
    """No app reaches the internet (nor another namespace): beyond `default`, kube-dns only."""
    ours = {client(s) for s in SERVICES for client in (app, job, backup)}
    outward = {(src, dst) for src, dst in computed(variant) if src in ours and not dst.startswith(f"{NAMESPACE}/")}
    assert outward == {(src, DNS) for src in ours}
    assert INTERNET not in {dst for _, dst in outward}


@pytest.mark.parametrize("variant", VARIANTS)
def test_databases_and_migrations_admit_no_one_else(variant: str, computed: Computed) -> None:
    """A database admits its own app, migration Job and backup only; a migration Job or a backup admits no one."""
    for service in SERVICES:
        admitted = {src for src, dst in computed(variant) if dst == database(service)}
        assert admitted == {app(service), job(service), backup(service)}
        assert {src for src, dst in computed(variant) if dst in (job(service), backup(service))} == set()


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_backup_reaches_its_own_database_and_dns_only(variant: str, computed: Computed) -> None:
    for service in SERVICES:
        reached = {dst: conn for (src, dst), conn in computed(variant).items() if src == backup(service)}
        assert reached == {database(service): frozenset({"TCP/5432"}), DNS: frozenset({"TCP/53", "UDP/53"})}


# --- The check fails, naming the pair, when a policy is broken -------------------------------------


def _database_open_to_all(docs: list[Obj]) -> None:
    del find(docs, "NetworkPolicy", "users-network-database")["spec"]["ingress"][0]["from"]


def _api_open_to_all(docs: list[Obj]) -> None:
    """The template's "anyone may call the API", as Minikube has it, left in production."""
    del find(docs, "NetworkPolicy", "users-network-api")["spec"]["ingress"][0]["from"]


def _egress_to_the_internet(docs: list[Obj]) -> None:
    policy = find(docs, "NetworkPolicy", "posts-network-api")
    policy["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]})


def _without_dns(docs: list[Obj]) -> None:
    find(docs, "NetworkPolicy", "offers-network-database-clients")["spec"]["egress"].pop(1)


def _egress_to_users(docs: list[Obj]) -> None:
    """routes-network-api as gitops/service-template/users-client writes it, in an environment without token checks."""
    spec = find(docs, "NetworkPolicy", "routes-network-api")["spec"]
    spec["policyTypes"].append("Egress")
    users = {"app.kubernetes.io/name": "users", "app.kubernetes.io/component": "api"}
    spec["egress"] = [{"to": [{"podSelector": {"matchLabels": users}}], "ports": [{"protocol": "TCP", "port": 5000}]}]


def _backup_not_admitted(docs: list[Obj]) -> None:
    """The database's ingress policy as it was before the backups."""
    values = find(docs, "NetworkPolicy", "routes-network-database")["spec"]["ingress"][0]["from"][0]["podSelector"]
    values["matchExpressions"][0]["values"].remove("backup")


def _backup_reaches_the_internet(docs: list[Obj]) -> None:
    """A policy of the backup's own that lets it upload its dumps somewhere."""
    docs.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "users-network-backup-upload", "namespace": NAMESPACE},
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/component": "backup"}},
                "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
            },
        }
    )


def _isolated_setting_only(docs: list[Obj]) -> None:
    """Every app told AUTH_PROFILE=isolated, the token profile's policies left as they are."""
    for one in apps(docs):
        env_list(main_container(one)).append({"name": PROFILE_ENV, "value": ISOLATED})


@pytest.mark.parametrize(
    "variant, breach, reported",
    [
        pytest.param(
            "minikube",
            Breach(
                "connectivity",
                "NetworkPolicy/users-network-database",
                "database open to all",
                custom=_database_open_to_all,
            ),
            f"{INTERNET} => {database('users')}: ",
            id="database open to all",
        ),
        pytest.param(
            "minikube",
            Breach(
                "connectivity",
                "NetworkPolicy/posts-network-api",
                "app reaches the internet",
                custom=_egress_to_the_internet,
            ),
            f"{app('posts')} => {INTERNET}: ",
            id="app reaches the internet",
        ),
        pytest.param(
            "minikube",
            Breach("connectivity", "NetworkPolicy/offers-network-database-clients", "no DNS", custom=_without_dns),
            f"{app('offers')} => {DNS}: allows nothing",
            id="no DNS",
        ),
        pytest.param(
            f"minikube+{ISOLATED}",
            Breach(
                "connectivity",
                "NetworkPolicy/routes-network-api",
                "isolated app reaches users",
                custom=_egress_to_users,
            ),
            f"{app('routes')} => {app('users')}: allows TCP/5000, the table nothing",
            id="isolated app reaches users",
        ),
        pytest.param(
            "minikube",
            Breach(
                "connectivity", "Deployment/posts", "isolated setting, token policies", custom=_isolated_setting_only
            ),
            f"{app('posts')} => {app('users')}: allows TCP/5000, the table nothing",
            id="isolated setting, token policies",
        ),
        pytest.param(
            "minikube",
            Breach("connectivity", "NetworkPolicy/routes-network-database", "backup", custom=_backup_not_admitted),
            f"{backup('routes')} => {database('routes')}: allows nothing, the table TCP/5432",
            id="backup not admitted by its database",
        ),
        pytest.param(
            "minikube",
            Breach(
                "connectivity",
                "NetworkPolicy/users-network-backup-upload",
                "upload",
                custom=_backup_reaches_the_internet,
            ),
            f"{backup('users')} => {INTERNET}: allows all, the table nothing",
            id="backup reaches the internet",
        ),
        pytest.param(
            "production",
            Breach("connectivity", "NetworkPolicy/users-network-api", "open to anywhere", custom=_api_open_to_all),
            f"{INTERNET} => {app('users')}: allows TCP/5000, the table nothing",
            id="production app open to anywhere",
        ),
    ],
)
def test_connectivity_check_names_the_pair_a_broken_policy_changes(
    variant: str,
    breach: Breach,
    reported: str,
    variant_docs: dict[str, list[Obj]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    broken = breach.applied_to(variant_docs[variant])
    expected = table.expected(table.profile(broken), env_of(variant))
    found = differences(nca(broken, tmp_path_factory.mktemp("nca")), expected)
    assert any(violation.startswith(reported) for violation in found), found
