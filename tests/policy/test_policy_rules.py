"""The workload rules of rules.py: every rendered variant keeps them, and each of them can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.policy import rules
from tests.policy.breaches import (
    Breach,
    Change,
    adding,
    annotation,
    container,
    cron_container,
    cron_pod,
    pod,
    removing,
)
from tests.policy.rules import RULES, SYNC_OPTIONS, SYNC_WAVE
from tests.policy.variants import VARIANTS
from tests.support.manifests import Obj, databases, env_list, find, main_container, pod_spec

# What an opt-in component knowingly gives up, and the rules an environment keeps in a form of its own
# (production's, in tests/policy/production_rules.py: an Ingress instead of NodePorts, more replicas).
WAIVED = {"ephemeral-database": {"database-volume-claim"}, "production": {"app-node-port", "app-autoscaled"}}


def waived(variant: str) -> set[str]:
    return set().union(*(WAIVED.get(part, set()) for part in variant.split("+")))


@pytest.mark.parametrize("variant", VARIANTS)
def test_rendered_variant_keeps_every_rule(variant: str, variant_docs: dict[str, list[Obj]]) -> None:
    docs = variant_docs[variant]
    violations = {name: found for name, rule in RULES.items() if name not in waived(variant) and (found := rule(docs))}
    assert violations == {}


def test_ephemeral_database_keeps_the_data_in_an_empty_dir(variant_docs: dict[str, list[Obj]]) -> None:
    for database in databases(variant_docs["minikube+ephemeral-database"]):
        volumes = {volume["name"]: volume for volume in pod_spec(database)["volumes"]}
        assert "volumeClaimTemplates" not in database["spec"]
        assert volumes["data"] == {"name": "data", "emptyDir": {}}


def _without_env(kind: str, name: str, variable: str) -> Change:
    def remove(docs: list[Obj]) -> None:
        env = env_list(main_container(find(docs, kind, name)))
        env.remove(next(item for item in env if item["name"] == variable))

    return remove


def _env_moved_first(kind: str, name: str, variable: str) -> Change:
    def move(docs: list[Obj]) -> None:
        env = env_list(main_container(find(docs, kind, name)))
        item = next(item for item in env if item["name"] == variable)
        env.remove(item)
        env.insert(0, item)

    return move


def _env_added(kind: str, name: str, variable: str, value: str) -> Change:
    def add(docs: list[Obj]) -> None:
        env_list(main_container(find(docs, kind, name))).append({"name": variable, "value": value})

    return add


def _node_port(service: str, port: int) -> Change:
    def change(docs: list[Obj]) -> None:
        find(docs, "Service", service)["spec"]["ports"][0]["nodePort"] = port

    return change


def _backup_env(name: str, variable: str, value: str) -> Change:
    def change(docs: list[Obj]) -> None:
        env = env_list(main_container(find(docs, "CronJob", name)))
        next(item for item in env if item["name"] == variable)["value"] = value

    return change


def _plain_password(docs: list[Obj]) -> None:
    env = env_list(main_container(find(docs, "StatefulSet", "users-db")))
    item = next(item for item in env if item["name"] == "POSTGRES_PASSWORD")
    item.pop("valueFrom")
    item["value"] = "hunter2"


COMMITTED_SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "users-db-credentials", "namespace": "default"},
    "stringData": {"POSTGRES_PASSWORD": "hunter2"},
}

BREACHES = [
    Breach("app-no-replicas", "Deployment/users", "replicas set", ("spec", "replicas"), 3),
    Breach("app-autoscaled", "Deployment/routes", "HPA removed", custom=removing("HorizontalPodAutoscaler", "routes")),
    Breach("app-autoscaled", "HorizontalPodAutoscaler/posts", "one replica", ("spec", "minReplicas"), 1),
    Breach("app-resources", "Deployment/offers", "no CPU request", (*container(), "resources", "requests", "cpu")),
    Breach("app-probes", "Deployment/posts", "no readiness", (*container(), "readinessProbe")),
    Breach("app-graceful-stop", "Deployment/routes", "no preStop", (*container(), "lifecycle")),
    Breach("app-graceful-stop", "Deployment/users", "grace too short", (*pod(), "terminationGracePeriodSeconds"), 20),
    Breach(
        "app-probes",
        "Deployment/users",
        "liveness on /ready",
        (*container(), "livenessProbe", "httpGet", "path"),
        "/users/ready",
    ),
    Breach("app-env", "Deployment/routes", "no USERS_PATH", custom=_without_env("Deployment", "routes", "USERS_PATH")),
    Breach(
        "app-env", "Deployment/users", "no DATABASE_URI", custom=_without_env("Deployment", "users", "DATABASE_URI")
    ),
    Breach(
        "app-env",
        "Deployment/offers",
        "DATABASE_URI before its variables",
        custom=_env_moved_first("Deployment", "offers", "DATABASE_URI"),
    ),
    Breach(
        "app-env",
        "Deployment/routes",
        "isolated with a USERS_PATH",
        custom=_env_added("Deployment", "routes", "AUTH_PROFILE", "isolated"),
    ),
    Breach(
        "app-env",
        "Deployment/users",
        "unknown profile",
        custom=_env_added("Deployment", "users", "AUTH_PROFILE", "tokens"),
    ),
    # The nodePort lives on the Service; the rule speaks for the app that the Service exposes.
    Breach("app-node-port", "Deployment/posts", "another nodePort", custom=_node_port("posts", 30009)),
    Breach("pod-non-root", "Deployment/users", "root user", (*container(), "securityContext", "runAsUser"), 0),
    Breach("pod-non-root", "Job/users-migrate", "runAsNonRoot unset", (*pod(), "securityContext", "runAsNonRoot")),
    Breach(
        "pod-read-only-root-filesystem",
        "StatefulSet/offers-db",
        "writable root",
        (*container(), "securityContext", "readOnlyRootFilesystem"),
        False,
    ),
    Breach(
        "pod-no-privilege-escalation",
        "Deployment/routes",
        "escalation allowed",
        (*container(), "securityContext", "allowPrivilegeEscalation"),
    ),
    Breach(
        "pod-capabilities-dropped",
        "Job/posts-migrate",
        "only NET_RAW dropped",
        (*container(), "securityContext", "capabilities", "drop"),
        ["NET_RAW"],
    ),
    Breach(
        "pod-seccomp-runtime-default",
        "Deployment/users",
        "unconfined",
        (*pod(), "securityContext", "seccompProfile", "type"),
        "Unconfined",
    ),
    Breach(
        "pod-image-pinned",
        "Deployment/offers",
        "latest",
        (*container(), "image"),
        "ghcr.io/gitops-marketplace/offers:latest",
    ),
    Breach("pod-image-pinned", "Job/routes-migrate", "no tag", (*container(), "image"), "localhost:5000/routes"),
    Breach("credentials-from-secret", "StatefulSet/users-db", "password in plain text", custom=_plain_password),
    Breach(
        "credentials-from-secret", "Secret/users-db-credentials", "Secret committed", custom=adding(COMMITTED_SECRET)
    ),
    Breach("database-cluster-ip", "Service/routes-db", "NodePort", ("spec", "type"), "NodePort"),
    Breach("database-volume-claim", "StatefulSet/posts-db", "no claim", ("spec", "volumeClaimTemplates")),
    Breach("database-readiness", "StatefulSet/users-db", "no readiness", (*container(), "readinessProbe")),
    Breach(
        "template-filled", "Job/users-migrate", "argument left as in the template", (*container(), "args", 0), "svc"
    ),
    Breach(
        "selectors-match",
        "NetworkPolicy/offers-network-api",
        "policy selects a typo",
        ("spec", "podSelector", "matchLabels", "app.kubernetes.io/name"),
        "offer",
    ),
    Breach(
        "selectors-match",
        "Service/users-db",
        "Service selects a typo",
        ("spec", "selector", "app.kubernetes.io/component"),
        "db",
    ),
    Breach(
        "selectors-match",
        "HorizontalPodAutoscaler/posts",
        "HPA targets a typo",
        ("spec", "scaleTargetRef", "name"),
        "post",
    ),
    Breach("namespace", "Deployment/users", "another namespace", ("metadata", "namespace"), "prod"),
    Breach(
        "migration-job",
        "Job/routes-migrate",
        "another image",
        (*container(), "image"),
        "ghcr.io/gitops-marketplace/routes:0.0.9",
    ),
    Breach(
        "migration-job",
        "Job/posts-migrate",
        "an environment of its own",
        custom=_env_added("Job", "posts-migrate", "TOKEN_TTL_SECONDS", "60"),
    ),
    Breach("sync-waves", "Deployment/users", "app with the database", annotation(SYNC_WAVE), "0"),
    Breach("sync-waves", "Job/offers-migrate", "not a hook", annotation("argocd.argoproj.io/hook")),
    Breach("database-protected", "StatefulSet/routes-db", "prunable", annotation(SYNC_OPTIONS)),
    Breach(
        "database-protected",
        "StatefulSet/offers-db",
        "claims deleted with it",
        ("spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"),
        "Delete",
    ),
    Breach(
        "database-network-protected",
        "NetworkPolicy/users-network-default-deny",
        "deny-all deleted with the app",
        annotation(SYNC_OPTIONS),
    ),
    Breach(
        "database-network-protected",
        "NetworkPolicy/routes-network-database",
        "ingress policy prunable",
        annotation(SYNC_OPTIONS),
        "Delete=false",
    ),
    Breach("database-liveness", "StatefulSet/posts-db", "no liveness", (*container(), "livenessProbe")),
    Breach(
        "database-liveness",
        "StatefulSet/users-db",
        "liveness trips during a checkpoint",
        (*container(), "livenessProbe", "failureThreshold"),
        3,
    ),
    Breach(
        "database-liveness",
        "StatefulSet/offers-db",
        "startup gives up in 30 s",
        (*container(), "startupProbe", "failureThreshold"),
        3,
    ),
    Breach("migration-deadline", "Job/users-migrate", "the old 600 s deadline", ("spec", "activeDeadlineSeconds"), 600),
    Breach("migration-deadline", "Job/routes-migrate", "no deadline", ("spec", "activeDeadlineSeconds")),
    Breach("migration-deadline", "Job/posts-migrate", "retries outlast the deadline", ("spec", "backoffLimit"), 5),
    Breach(
        "app-disruption-budget", "Deployment/users", "budget removed", custom=removing("PodDisruptionBudget", "users")
    ),
    Breach(
        "app-disruption-budget",
        "PodDisruptionBudget/offers",
        "a drain may take both pods",
        ("spec", "maxUnavailable"),
        2,
    ),
    Breach(
        "app-disruption-budget",
        "PodDisruptionBudget/routes",
        "selects the database too",
        ("spec", "selector", "matchLabels", "app.kubernetes.io/component"),
    ),
    Breach("backup-schedule", "StatefulSet/users-db", "no backup", custom=removing("CronJob", "users-db-backup")),
    Breach("backup-schedule", "CronJob/routes-db-backup", "hourly", ("spec", "schedule"), "0 * * * *"),
    Breach("backup-schedule", "CronJob/posts-db-backup", "the node's time zone", ("spec", "timeZone")),
    Breach("backup-schedule", "CronJob/offers-db-backup", "runs overlap", ("spec", "concurrencyPolicy"), "Allow"),
    Breach("backup-schedule", "CronJob/users-db-backup", "no starting deadline", ("spec", "startingDeadlineSeconds")),
    Breach(
        "backup-schedule",
        "CronJob/routes-db-backup",
        "a dump may hang forever",
        ("spec", "jobTemplate", "spec", "activeDeadlineSeconds"),
    ),
    Breach(
        "backup-target",
        "CronJob/posts-db-backup",
        "another service's database",
        custom=_backup_env("posts-db-backup", "DATABASE_HOST", "users-db"),
    ),
    Breach(
        "backup-target",
        "CronJob/offers-db-backup",
        "plain SQL",
        (*cron_container(), "command", 2),
        "pg_dump --format=plain > /backups/dump.sql",
    ),
    Breach("backup-target", "CronJob/users-db-backup", "older client", (*cron_container(), "image"), "postgres:13.1"),
    Breach(
        "backup-retention",
        "CronJob/routes-db-backup",
        "keeps everything",
        custom=_backup_env("routes-db-backup", "BACKUPS_KEPT", "1000"),
    ),
    Breach(
        "backup-retention",
        "CronJob/posts-db-backup",
        "dumps into the pod",
        (*cron_pod(), "volumes", 0),
        {"name": "backups", "emptyDir": {}},
    ),
    Breach("backup-retention", "PersistentVolumeClaim/offers-db-backups", "claim prunable", annotation(SYNC_OPTIONS)),
    Breach(
        "backup-resources",
        "CronJob/users-db-backup",
        "no memory limit",
        (*cron_container(), "resources", "limits", "memory"),
    ),
    Breach(
        "backup-runs-as-the-database",
        "CronJob/routes-db-backup",
        "the app's user",
        (*cron_pod(), "securityContext", "runAsUser"),
        10001,
    ),
    Breach(
        "pod-non-root", "CronJob/posts-db-backup", "backup as root", (*cron_pod(), "securityContext", "runAsUser"), 0
    ),
    Breach(
        "pod-read-only-root-filesystem",
        "CronJob/offers-db-backup",
        "backup with a writable root",
        (*cron_container(), "securityContext", "readOnlyRootFilesystem"),
    ),
    Breach(
        "pod-capabilities-dropped",
        "CronJob/users-db-backup",
        "backup keeps capabilities",
        (*cron_container(), "securityContext", "capabilities", "drop"),
        [],
    ),
    Breach(
        "pod-seccomp-runtime-default",
        "CronJob/routes-db-backup",
        "backup unconfined",
        (*cron_pod(), "securityContext", "seccompProfile"),
    ),
]


def test_every_rule_has_a_breach() -> None:
    assert {breach.rule for breach in BREACHES} == set(RULES)


@pytest.mark.parametrize("breach", BREACHES, ids=lambda breach: breach.id)
def test_rule_reports_its_breach(breach: Breach, minikube: list[Obj]) -> None:
    found = RULES[breach.rule](breach.applied_to(minikube))
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found


def test_gunicorns_graceful_timeout_is_read_from_its_config(tmp_path: Path) -> None:
    assert rules.graceful_timeout() == 20  # apps/core/service_core/gunicorn_conf.py
    conf = tmp_path / "gunicorn_conf.py"
    conf.write_text("workers = 2\ngraceful_timeout = 45\n")
    assert rules.graceful_timeout(conf) == 45
