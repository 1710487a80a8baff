"""The policy rules for the rendered workload manifests (build/manifests/<env>.yaml).

Each rule is a pure function: the rendered objects in, a list of violations out, each starting with the
`Kind/name` of the object at fault. RULES maps a rule's name to it; docs/policy.md lists them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import registry
from tests.policy import contract
from tests.support.manifests import (
    Obj,
    annotations,
    apps,
    backups,
    containers,
    databases,
    env_list,
    env_value,
    main_container,
    matches,
    migrations,
    of_kind,
    pod_labels,
    pod_spec,
    ref,
    service_of,
    workloads,
)

Rule = Callable[[list[Obj]], list[str]]
RULES: dict[str, Rule] = {}

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
DATA_PATH = "/var/lib/postgresql"  # where the PostgreSQL (>= 18) image keeps its data
_VAR_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_PLACEHOLDER = re.compile(r"\bsvc\b")  # the service's name in gitops/service-template


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function

    return register


def run(docs: list[Obj], names: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Violations by rule name, for the named rules (all by default)."""
    return {name: RULES[name](docs) for name in (RULES if names is None else names)}


# --- Apps --------------------------------------------------------------------------------------------


@rule("app-no-replicas")
def app_no_replicas(docs: list[Obj]) -> list[str]:
    return [
        f"{ref(app)}: sets replicas ({app['spec']['replicas']}), which its HPA owns"
        for app in apps(docs)
        if "replicas" in app["spec"]
    ]


@rule("app-autoscaled")
def app_autoscaled(docs: list[Obj]) -> list[str]:
    return autoscaled(docs, 2, 5)  # Minikube's sizes (tests/policy/capacity.py); production has its own


def autoscaled(docs: list[Obj], fewest: int, most: int) -> list[str]:
    """Each app has an autoscaling/v2 HPA on CPU whose replicas stay within fewest..most."""
    found = []
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    for app in apps(docs):
        targeting = [
            hpa
            for hpa in hpas
            if hpa["apiVersion"] == "autoscaling/v2"
            and hpa["spec"]["scaleTargetRef"].get("kind") == "Deployment"
            and hpa["spec"]["scaleTargetRef"].get("name") == app["metadata"]["name"]
        ]
        if not targeting:
            found.append(f"{ref(app)}: no autoscaling/v2 HorizontalPodAutoscaler targets it")
        for hpa in targeting:
            spec = hpa["spec"]
            low, high = spec.get("minReplicas", 1), spec["maxReplicas"]
            if not fewest <= low <= high <= most:
                found.append(f"{ref(hpa)}: scales {low}..{high} replicas, not within {fewest}..{most}")
            cpu = [
                metric
                for metric in spec.get("metrics") or []
                if metric.get("type") == "Resource"
                and metric["resource"]["name"] == "cpu"
                and metric["resource"]["target"]["type"] == "Utilization"
            ]
            if not cpu:
                found.append(f"{ref(hpa)}: no CPU utilisation target")
    return found


def missing_bounds(workloads: Iterable[Obj]) -> list[str]:
    """Each container of `workloads` without a CPU or memory request or limit."""
    return [
        f"{ref(workload)}: container {container['name']} has no {bound} for {resource}"
        for workload in workloads
        for container in containers(workload)
        for bound in ("requests", "limits")
        for resource in ("cpu", "memory")
        if resource not in ((container.get("resources") or {}).get(bound) or {})
    ]


@rule("app-resources")
def app_resources(docs: list[Obj]) -> list[str]:
    return missing_bounds(apps(docs))


def _port_number(container: Obj, port: Any) -> Any:
    """A probe's port, with a named port resolved through the container's ports."""
    by_name = {item.get("name"): item["containerPort"] for item in container.get("ports") or []}
    return by_name.get(port, port)


@rule("app-probes")
def app_probes(docs: list[Obj]) -> list[str]:
    found = []
    for app in apps(docs):
        container, service = main_container(app), service_of(app)
        for probe, endpoint in (("livenessProbe", "ping"), ("readinessProbe", "ready")):
            get = (container.get(probe) or {}).get("httpGet") or {}
            want = f"/{service}/{endpoint}"
            if get.get("path") != want or _port_number(container, get.get("port")) != contract.APP_PORT:
                found.append(f"{ref(app)}: {probe} must GET {want} on port {contract.APP_PORT}")
    return found


GUNICORN_CONF = registry.ROOT / "apps" / "core" / "service_core" / "gunicorn_conf.py"
DEFAULT_GRACE = 30  # s, Kubernetes' terminationGracePeriodSeconds when a pod sets none
MIN_PRE_STOP = 3  # s: endpoint removal reaches kube-proxy within about a second or two


def graceful_timeout(conf: Path = GUNICORN_CONF) -> int:
    """gunicorn's `graceful_timeout` as the services' config file sets it, read without running the file."""
    for node in ast.parse(conf.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "graceful_timeout" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{conf} sets no graceful_timeout")


@rule("app-graceful-stop")
def app_graceful_stop(docs: list[Obj]) -> list[str]:
    """A replaced pod keeps serving while it leaves the endpoints (a preStop sleep), then gunicorn finishes the
    requests in flight: the pause plus gunicorn's graceful_timeout must fit the grace period before SIGKILL."""
    found = []
    for app in apps(docs):
        pre_stop = ((main_container(app).get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}
        pause = pre_stop.get("seconds", 0)
        grace = app["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", DEFAULT_GRACE)
        if pause < MIN_PRE_STOP:
            found.append(f"{ref(app)}: no preStop sleep of at least {MIN_PRE_STOP} s before the SIGTERM")
        elif pause + graceful_timeout() > grace:
            found.append(
                f"{ref(app)}: preStop {pause} s + gunicorn graceful_timeout {graceful_timeout()} s exceed "
                f"the {grace} s grace period"
            )
    return found


def expand(env: list[Obj]) -> tuple[dict[str, str], list[str]]:
    """Each variable's value after Kubernetes' $(VAR) expansion, and the references it cannot expand.

    Kubernetes expands a reference only to a variable declared earlier in the list; a variable set from a
    Secret stays `$(NAME)` here, since its value is not in the manifests.
    """
    values: dict[str, str] = {}
    unresolved = []
    for item in env:
        name = item["name"]
        if "value" not in item:
            values[name] = f"$({name})"
            continue

        def substitute(match: re.Match[str], name: str = name) -> str:
            if match.group(1) not in values:
                unresolved.append(f"{name} refers to $({match.group(1)}), which is not declared before it")
                return match.group(0)
            return values[match.group(1)]

        values[name] = _VAR_REF.sub(substitute, item["value"] or "")
    return values, unresolved


@rule("app-env")
def app_env(docs: list[Obj]) -> list[str]:
    found = []
    for app in apps(docs):
        service = service_of(app)
        values, unresolved = expand(env_list(main_container(app)))
        found += [f"{ref(app)}: {problem}" for problem in unresolved]
        profile = values.get(contract.PROFILE_ENV, contract.TOKEN)
        if profile not in contract.PROFILES:
            found.append(f"{ref(app)}: {contract.PROFILE_ENV} is {profile!r}, not one of {contract.PROFILES}")
        required = contract.required_env(service, profile)
        found += [f"{ref(app)}: {name} is not set" for name in required if name not in values]
        if "USERS_PATH" in values and not contract.calls_users(service, profile):
            found.append(f"{ref(app)}: USERS_PATH is set, but {service} calls no service in the {profile} profile")
        expected = {
            "DATABASE_URI": contract.database_uri(service),
            "POSTGRES_DB": service,
            "FLASK_ENV": contract.FLASK_ENV,
            "USERS_PATH": contract.USERS_PATH,
        }
        found += [
            f"{ref(app)}: {name} is {values[name]!r}, not {want!r}"
            for name, want in expected.items()
            if name in values and values[name] != want
        ]
    return found


@rule("app-node-port")
def app_node_port(docs: list[Obj]) -> list[str]:
    found = []
    for app in apps(docs):
        service, container = service_of(app), main_container(app)
        exposed = [
            svc
            for svc in of_kind(docs, "Service")
            if svc["metadata"]["name"] == service
            and svc["spec"].get("type") == "NodePort"
            and matches({"matchLabels": svc["spec"].get("selector")}, pod_labels(app))
        ]
        ports = [
            port
            for svc in exposed
            for port in svc["spec"]["ports"]
            if port["port"] == contract.APP_PORT
            and _port_number(container, port.get("targetPort", port["port"])) == contract.APP_PORT
            and port.get("nodePort") == contract.NODE_PORTS.get(service)
        ]
        if not ports:
            found.append(
                f"{ref(app)}: no NodePort Service {service} maps nodePort {contract.NODE_PORTS.get(service)} "
                f"to port {contract.APP_PORT}"
            )
    return found


# --- Every pod: app, database and migration Job ------------------------------------------------------


def _each_container(docs: list[Obj]) -> Iterator[tuple[Obj, Obj]]:
    for workload in workloads(docs):
        for container in containers(workload):
            yield workload, container


def _containers_where(docs: list[Obj], breaks: Callable[[Obj, Obj], bool], problem: str) -> list[str]:
    """`Kind/name: container c <problem>` for every container for which breaks(workload, container)."""
    return [
        f"{ref(workload)}: container {container['name']} {problem}"
        for workload, container in _each_container(docs)
        if breaks(workload, container)
    ]


def _own(container: Obj, key: str) -> Any:
    return (container.get("securityContext") or {}).get(key)


def _effective(workload: Obj, container: Obj, key: str) -> Any:
    """A securityContext setting as it applies to the container: its own, else the pod's."""
    own = _own(container, key)
    return own if own is not None else (pod_spec(workload).get("securityContext") or {}).get(key)


@rule("pod-non-root")
def pod_non_root(docs: list[Obj]) -> list[str]:
    return _containers_where(
        docs,
        lambda w, c: _effective(w, c, "runAsNonRoot") is not True or _effective(w, c, "runAsUser") == 0,
        "may run as root",
    )


@rule("pod-read-only-root-filesystem")
def pod_read_only_root_filesystem(docs: list[Obj]) -> list[str]:
    return _containers_where(
        docs, lambda _, c: _own(c, "readOnlyRootFilesystem") is not True, "has a writable root filesystem"
    )


@rule("pod-no-privilege-escalation")
def pod_no_privilege_escalation(docs: list[Obj]) -> list[str]:
    return _containers_where(
        docs, lambda _, c: _own(c, "allowPrivilegeEscalation") is not False, "allows privilege escalation"
    )


def _keeps_capabilities(container: Obj) -> bool:
    capabilities = _own(container, "capabilities") or {}
    return "ALL" not in (capabilities.get("drop") or []) or bool(capabilities.get("add"))


@rule("pod-capabilities-dropped")
def pod_capabilities_dropped(docs: list[Obj]) -> list[str]:
    return _containers_where(
        docs, lambda _, c: _keeps_capabilities(c), "keeps capabilities (it must drop ALL and add none)"
    )


@rule("pod-seccomp-runtime-default")
def pod_seccomp_runtime_default(docs: list[Obj]) -> list[str]:
    return _containers_where(
        docs,
        lambda w, c: (_effective(w, c, "seccompProfile") or {}).get("type") != "RuntimeDefault",
        "does not run with the RuntimeDefault seccomp profile",
    )


def image_is_pinned(image: str) -> bool:
    """An explicit tag other than `latest`, or a digest."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


@rule("pod-image-pinned")
def pod_image_pinned(docs: list[Obj]) -> list[str]:
    return _containers_where(
        docs,
        lambda _, c: not image_is_pinned(c.get("image") or ""),
        "has an image without an explicit tag or digest (or tagged `latest`)",
    )


@rule("credentials-from-secret")
def credentials_from_secret(docs: list[Obj]) -> list[str]:
    found = [f"{ref(secret)}: a Secret is committed; bootstrap/ creates them" for secret in of_kind(docs, "Secret")]
    for workload, container in _each_container(docs):
        where = f"{ref(workload)}: container {container['name']}"
        if any("secretRef" in source for source in container.get("envFrom") or []):
            found.append(f"{where} reads a whole Secret through envFrom")
        for item in env_list(container):
            if "PASSWORD" in item["name"] and "value" in item:
                found.append(f"{where} sets {item['name']} in plain text")
        for name in contract.CREDENTIAL_ENV:
            item = env_value(container, name)
            if item is None:
                continue
            secret = (item.get("valueFrom") or {}).get("secretKeyRef") or {}
            want = contract.credentials_secret(service_of(workload))
            if secret.get("name") != want or secret.get("key") != name:
                found.append(f"{where} must read {name} with secretKeyRef {want}/{name}")
    return found


# --- Databases ---------------------------------------------------------------------------------------


@rule("database-cluster-ip")
def database_cluster_ip(docs: list[Obj]) -> list[str]:
    found = []
    for database in databases(docs):
        selecting = [
            svc
            for svc in of_kind(docs, "Service")
            if svc["spec"].get("selector") and matches({"matchLabels": svc["spec"]["selector"]}, pod_labels(database))
        ]
        found += [
            f"{ref(svc)}: exposes database {database['metadata']['name']} as {svc['spec'].get('type')}"
            for svc in selecting
            if svc["spec"].get("type", "ClusterIP") != "ClusterIP" or svc["spec"].get("externalIPs")
        ]
        name = database["metadata"]["name"]
        if not any(
            svc["metadata"]["name"] == name and port["port"] == contract.DATABASE_PORT
            for svc in selecting
            for port in svc["spec"]["ports"]
        ):
            found.append(f"{ref(database)}: no ClusterIP Service {name} on port {contract.DATABASE_PORT}")
    return found


@rule("database-volume-claim")
def database_volume_claim(docs: list[Obj]) -> list[str]:
    found = []
    for database in databases(docs):
        claims = {template["metadata"]["name"] for template in database["spec"].get("volumeClaimTemplates") or []}
        pod_volumes = {volume["name"] for volume in pod_spec(database).get("volumes") or []}
        mounts = [
            mount
            for container in containers(database)
            for mount in container.get("volumeMounts") or []
            if mount["mountPath"] == DATA_PATH
        ]
        # A pod volume of the same name would shadow the claim (that is what ephemeral-database does).
        if not any(mount["name"] in claims and mount["name"] not in pod_volumes for mount in mounts):
            found.append(f"{ref(database)}: its data ({DATA_PATH}) is not on a PersistentVolumeClaim")
    return found


@rule("database-readiness")
def database_readiness(docs: list[Obj]) -> list[str]:
    found = []
    for database in databases(docs):
        probe = main_container(database).get("readinessProbe") or {}
        if "pg_isready" not in " ".join((probe.get("exec") or {}).get("command") or []):
            found.append(f"{ref(database)}: no pg_isready readiness probe")
    return found


# --- The template, selectors, namespace, migration, Argo CD ordering and protection ------------------


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


@rule("template-filled")
def template_filled(docs: list[Obj]) -> list[str]:
    """gitops/service-template names the service `svc`: a field that still says so was missed by its replacements."""
    return [
        f"{ref(doc)}: {path} still says {value!r}"
        for doc in docs
        for path, value in _strings(doc)
        if _PLACEHOLDER.search(value)
    ]


@rule("selectors-match")
def selectors_match(docs: list[Obj]) -> list[str]:
    """Nothing selects nothing: every NetworkPolicy, Service and HPA applies to a rendered workload."""
    found = []
    pods = [(w["metadata"].get("namespace"), pod_labels(w)) for w in workloads(docs)]

    def selects_a_pod(obj: Obj, selector: Obj) -> bool:
        namespace = obj["metadata"].get("namespace")
        return any(ns == namespace and matches(selector, labels) for ns, labels in pods)

    for policy in of_kind(docs, "NetworkPolicy"):
        if not selects_a_pod(policy, policy["spec"].get("podSelector")):
            found.append(f"{ref(policy)}: its podSelector matches no workload")
    for svc in of_kind(docs, "Service"):
        selector = svc["spec"].get("selector")
        if not selector or not selects_a_pod(svc, {"matchLabels": selector}):
            found.append(f"{ref(svc)}: its selector matches no workload")
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if not any(ref(w) == f"{target.get('kind')}/{target.get('name')}" for w in workloads(docs)):
            found.append(f"{ref(hpa)}: targets {target.get('kind')}/{target.get('name')}, which is not rendered")
    return found


@rule("namespace")
def namespace(docs: list[Obj]) -> list[str]:
    return [
        f"{ref(doc)}: in namespace {doc['metadata'].get('namespace')!r}, not {contract.NAMESPACE!r}"
        for doc in docs
        if doc["metadata"].get("namespace") != contract.NAMESPACE
    ]


# Settings of what the app serves, which its migration Job has no use for (gitops/service-template/reset-endpoint).
APP_ONLY_ENV = frozenset({"RESET_ENABLED"})


def _shared_env(container: Obj) -> list[Obj]:
    return [item for item in env_list(container) if item.get("name") not in APP_ONLY_ENV]


@rule("migration-job")
def migration_job(docs: list[Obj]) -> list[str]:
    """Each app has a migration Job running its own image and environment (but for APP_ONLY_ENV)."""
    found = []
    jobs = {service_of(job): job for job in migrations(docs)}
    for app in apps(docs):
        service = service_of(app)
        job = jobs.get(service)
        if job is None:
            found.append(f"{ref(app)}: no migration Job")
            continue
        container, app_container = main_container(job), main_container(app)
        command = (container.get("command") or []) + (container.get("args") or [])
        if command != contract.migrate_command(service):
            found.append(f"{ref(job)}: runs {command}, not {contract.migrate_command(service)}")
        if container.get("image") != app_container.get("image"):
            found.append(f"{ref(job)}: image {container.get('image')} is not the app's {app_container.get('image')}")
        if _shared_env(container) != _shared_env(app_container):
            found.append(f"{ref(job)}: its environment differs from the app's")
    return found


def sync_wave(obj: Obj) -> int:
    return int(annotations(obj).get(SYNC_WAVE, "0"))


@rule("sync-waves")
def sync_waves(docs: list[Obj]) -> list[str]:
    """Per service: NetworkPolicies, then the database, then the migration Job (a Sync hook), then the app."""
    found = []
    for job in migrations(docs):
        service, job_wave = service_of(job), sync_wave(job)
        notes = annotations(job)
        if notes.get(HOOK) != "Sync" or notes.get(HOOK_DELETE_POLICY) != "BeforeHookCreation":
            found.append(f"{ref(job)}: must be an Argo CD Sync hook with hook-delete-policy BeforeHookCreation")
        others = [doc for doc in docs if service_of(doc) == service and doc is not job]
        database = [doc for doc in others if doc["metadata"]["name"] == f"{service}-db"]
        database_wave = min(map(sync_wave, database), default=0)
        for doc in others:
            wave = sync_wave(doc)
            if doc["kind"] == "NetworkPolicy":
                if wave > database_wave:
                    found.append(f"{ref(doc)}: sync wave {wave} comes after the database's {database_wave}")
            elif doc in database:
                if wave >= job_wave:
                    found.append(f"{ref(doc)}: sync wave {wave} is not before the migration's {job_wave}")
            elif wave <= job_wave:
                found.append(f"{ref(doc)}: sync wave {wave} is not after the migration's {job_wave}")
    return found


def kept_by_argocd(obj: Obj) -> bool:
    """Argo CD neither prunes the object nor deletes it with its Application (sync-options Prune=false,Delete=false)."""
    options = {option.strip() for option in annotations(obj).get(SYNC_OPTIONS, "").split(",")}
    return {"Prune=false", "Delete=false"} <= options


@rule("database-protected")
def database_protected(docs: list[Obj]) -> list[str]:
    found = []
    for database in databases(docs):
        if not kept_by_argocd(database):
            found.append(f"{ref(database)}: needs sync-options Prune=false,Delete=false (Argo CD keeps its data)")
        retention = database["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        if retention != {"whenDeleted": "Retain", "whenScaled": "Retain"}:
            found.append(f"{ref(database)}: persistentVolumeClaimRetentionPolicy must Retain when deleted and scaled")
    return found


@rule("database-network-protected")
def database_network_protected(docs: list[Obj]) -> list[str]:
    """Every NetworkPolicy that selects database pods outlives its Application like the database: deleting the
    Application must not leave an orphaned database open (tests/policy/test_policy_protection.py)."""
    return [
        f"{ref(policy)}: selects the pods of {ref(database)}, so it needs sync-options Prune=false,Delete=false"
        for database in databases(docs)
        for policy in of_kind(docs, "NetworkPolicy")
        if policy["metadata"].get("namespace") == database["metadata"].get("namespace")
        and matches(policy["spec"].get("podSelector"), pod_labels(database))
        and not kept_by_argocd(policy)
    ]


# --- Staying up: disruption budgets, probes, deadlines -----------------------------------------------

CHECKPOINT_TIMEOUT = 300  # s, PostgreSQL's default checkpoint_timeout: a spread checkpoint's I/O ends within it
STARTUP_BUDGET = 600  # s a database may take to start: initdb on a first start, or replaying WAL after a crash
MIGRATION_DEADLINE = 300  # s: "a bad image fails within a few minutes"
JOB_BACKOFF = 10  # s, the Job controller's first retry delay; it doubles for every further retry


def probe_window(probe: Obj) -> int:
    """How long a probe may fail in a row before the kubelet acts: period x failureThreshold (their defaults 10, 3)."""
    return probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)


def _runs_pg_isready(probe: Obj) -> bool:
    return "pg_isready" in " ".join((probe.get("exec") or {}).get("command") or [])


@rule("database-liveness")
def database_liveness(docs: list[Obj]) -> list[str]:
    """A hung database is restarted; a slow first start or a long checkpoint is not."""
    found = []
    for database in databases(docs):
        container = main_container(database)
        startup, liveness = container.get("startupProbe") or {}, container.get("livenessProbe") or {}
        if not (_runs_pg_isready(startup) and _runs_pg_isready(liveness)):
            found.append(f"{ref(database)}: needs a pg_isready startupProbe and livenessProbe")
            continue
        if probe_window(startup) < STARTUP_BUDGET:
            found.append(
                f"{ref(database)}: startupProbe gives up after {probe_window(startup)} s, "
                f"before the {STARTUP_BUDGET} s a first start or a crash recovery may take"
            )
        if probe_window(liveness) < 1.5 * CHECKPOINT_TIMEOUT:
            found.append(
                f"{ref(database)}: livenessProbe restarts after {probe_window(liveness)} s of failures, "
                f"not well above checkpoint_timeout ({CHECKPOINT_TIMEOUT} s): use at least 1.5 x"
            )
    return found


def retries_wait(backoff_limit: int) -> int:
    """Seconds the Job controller waits between the runs that backoffLimit allows (10 s, 20 s, 40 s ...)."""
    return sum(JOB_BACKOFF * 2**retry for retry in range(backoff_limit))


@rule("migration-deadline")
def migration_deadline(docs: list[Obj]) -> list[str]:
    """A migration that cannot run (an image that cannot be pulled) fails the sync within a few minutes, and the
    deadline still leaves time for every retry its backoffLimit allows."""
    found = []
    for job in migrations(docs):
        deadline, limit = job["spec"].get("activeDeadlineSeconds"), job["spec"].get("backoffLimit", 6)
        if deadline is None or deadline > MIGRATION_DEADLINE:
            found.append(f"{ref(job)}: activeDeadlineSeconds {deadline} is not within {MIGRATION_DEADLINE} s")
        elif retries_wait(limit) >= deadline:
            found.append(
                f"{ref(job)}: backoffLimit {limit} waits {retries_wait(limit)} s between runs, "
                f"which the {deadline} s deadline cuts short"
            )
    return found


def _budget_keeps_a_pod(budget: Obj, replicas: int) -> bool:
    spec = budget["spec"]
    if isinstance(spec.get("maxUnavailable"), int):
        return replicas - spec["maxUnavailable"] >= 1
    return isinstance(spec.get("minAvailable"), int) and spec["minAvailable"] >= 1


@rule("app-disruption-budget")
def app_disruption_budget(docs: list[Obj]) -> list[str]:
    """Each app has a policy/v1 PodDisruptionBudget `<svc>` over exactly its pods that keeps one of the HPA's
    minimum through a node drain."""
    found = []
    budgets = {b["metadata"]["name"]: b for b in of_kind(docs, "PodDisruptionBudget") if b["apiVersion"] == "policy/v1"}
    minimum = {
        hpa["spec"]["scaleTargetRef"].get("name"): hpa["spec"].get("minReplicas", 1)
        for hpa in of_kind(docs, "HorizontalPodAutoscaler")
    }
    for app in apps(docs):
        name = app["metadata"]["name"]
        budget = budgets.get(name)
        if budget is None:
            found.append(f"{ref(app)}: no policy/v1 PodDisruptionBudget {name}")
            continue
        selected = [ref(w) for w in workloads(docs) if matches(budget["spec"].get("selector"), pod_labels(w))]
        if selected != [ref(app)]:
            found.append(f"{ref(budget)}: selects {selected or 'nothing'}, not exactly the pods of {ref(app)}")
        if not _budget_keeps_a_pod(budget, minimum.get(name, 1)):
            found.append(
                f"{ref(budget)}: lets a drain take every pod of {ref(app)} at {minimum.get(name, 1)} replicas "
                "(it needs an integer minAvailable >= 1 or maxUnavailable below the HPA's minimum)"
            )
    return found


# --- Backups: one CronJob per database ----------------------------------------------------------------

BACKUP_SCHEDULE = ("0 3 * * *", "Etc/UTC")  # daily at 03:00 UTC, as docs/cluster.md says
BACKUPS_KEPT = 7  # a week of daily dumps (gitops/service-template/backup.yaml says why)


def backup_of(docs: list[Obj], database: Obj) -> Obj | None:
    name = f"{database['metadata']['name']}-backup"
    return next((job for job in backups(docs) if job["metadata"]["name"] == name), None)


def _each_backup(docs: list[Obj], check: Callable[[Obj, Obj], list[str]]) -> list[str]:
    """check(database, its CronJob) for every database; a database without one is reported by backup-schedule."""
    return [
        problem
        for database in databases(docs)
        if (job := backup_of(docs, database))
        for problem in check(database, job)
    ]


def _plain_env(workload: Obj) -> dict[str, str]:
    return {item["name"]: item["value"] for item in env_list(main_container(workload)) if "value" in item}


@rule("backup-schedule")
def backup_schedule(docs: list[Obj]) -> list[str]:
    """Each database has a batch/v1 CronJob `<svc>-db-backup`, daily at 03:00 UTC, never two runs at once, and a
    run missed (the cluster down) is still made within the hour."""
    found = [
        f"{ref(database)}: no backup CronJob {database['metadata']['name']}-backup (component backup)"
        for database in databases(docs)
        if backup_of(docs, database) is None
    ]

    def check(_: Obj, job: Obj) -> list[str]:
        spec, problems = job["spec"], []
        if (spec.get("schedule"), spec.get("timeZone")) != BACKUP_SCHEDULE:
            problems.append(
                f"{ref(job)}: runs {spec.get('schedule')!r} in {spec.get('timeZone')}, not {BACKUP_SCHEDULE}"
            )
        if spec.get("concurrencyPolicy") != "Forbid":
            problems.append(f"{ref(job)}: concurrencyPolicy must be Forbid (a slow dump is never overlapped)")
        if not 0 < spec.get("startingDeadlineSeconds", 0) <= 3600:
            problems.append(f"{ref(job)}: startingDeadlineSeconds must be set, at most 3600")
        if not spec["jobTemplate"]["spec"].get("activeDeadlineSeconds"):
            problems.append(f"{ref(job)}: its Jobs need an activeDeadlineSeconds (a hung dump must end)")
        return problems

    return found + _each_backup(docs, check)


@rule("backup-target")
def backup_target(docs: list[Obj]) -> list[str]:
    """The CronJob dumps its own database in pg_dump's custom format, with its database's image."""

    def check(database: Obj, job: Obj) -> list[str]:
        service, container, problems = service_of(database), main_container(job), []
        env = _plain_env(job)
        wanted = {"POSTGRES_DB": service, "DATABASE_HOST": database["metadata"]["name"], "DATABASE_PORT": "5432"}
        problems += [
            f"{ref(job)}: {name} is {env.get(name)!r}, not {value!r}"
            for name, value in wanted.items()
            if env.get(name) != value
        ]
        if "pg_dump --format=custom" not in " ".join(container.get("command") or []):
            problems.append(f"{ref(job)}: does not run pg_dump --format=custom")
        if container.get("image") != main_container(database).get("image"):
            problems.append(f"{ref(job)}: image {container.get('image')} is not its database's")
        return problems

    return _each_backup(docs, check)


@rule("backup-retention")
def backup_retention(docs: list[Obj]) -> list[str]:
    """It keeps the newest BACKUPS_KEPT dumps on a claim of its own, `<svc>-db-backups`, which Argo CD never
    prunes or deletes."""
    claims = {claim["metadata"]["name"]: claim for claim in of_kind(docs, "PersistentVolumeClaim")}

    def check(database: Obj, job: Obj) -> list[str]:
        problems, name = [], f"{database['metadata']['name']}-backups"
        kept = _plain_env(job).get("BACKUPS_KEPT")
        if kept != str(BACKUPS_KEPT):
            problems.append(f"{ref(job)}: keeps {kept} dumps, not {BACKUPS_KEPT}")
        mounts = {mount["name"]: mount["mountPath"] for mount in main_container(job).get("volumeMounts") or []}
        volumes = {
            v["name"]: (v.get("persistentVolumeClaim") or {}).get("claimName")
            for v in pod_spec(job).get("volumes") or []
        }
        if not any(
            volumes.get(volume) == name and path == _plain_env(job).get("BACKUP_DIR") for volume, path in mounts.items()
        ):
            problems.append(f"{ref(job)}: does not write its dumps (BACKUP_DIR) to the claim {name}")
        if name not in claims:
            problems.append(f"{ref(job)}: the claim {name} is not rendered")
        elif not kept_by_argocd(claims[name]):
            problems.append(
                f"{ref(claims[name])}: needs sync-options Prune=false,Delete=false (Argo CD keeps the dumps)"
            )
        return problems

    return _each_backup(docs, check)


@rule("backup-resources")
def backup_resources(docs: list[Obj]) -> list[str]:
    return missing_bounds(backups(docs))


@rule("backup-runs-as-the-database")
def backup_runs_as_the_database(docs: list[Obj]) -> list[str]:
    """Its pod runs as its database's user and group (the pod-* rules hold it to the rest of the discipline)."""

    def check(database: Obj, job: Obj) -> list[str]:
        keys = ("runAsUser", "runAsGroup", "fsGroup")
        want = {key: (pod_spec(database).get("securityContext") or {}).get(key) for key in keys}
        got = {key: (pod_spec(job).get("securityContext") or {}).get(key) for key in keys}
        return [] if got == want else [f"{ref(job)}: runs as {got}, not as its database {want}"]

    return _each_backup(docs, check)
