"""The HPA health check that bootstrap/argocd gives Argo CD (health/hpa.lua, merged into argocd-cm), run in a
real Lua 5.1 with Argo CD's environment (tests/bootstrap/argocd_lua.py) against HPA status samples.

The samples are autoscaling/v2 objects as the HPA controller writes them. The three marked gitops-engine
have the conditions of the test data of Argo CD's built-in check (argoproj/argo-cd v3.5.1,
gitops-engine/pkg/health/testdata/hpa-v2-*.yaml) and expect what its TestHPA expects: the script keeps the
built-in verdict wherever the built-in is right.
"""

from __future__ import annotations

from typing import Any

import pytest

from bootstrap import config
from tests.bootstrap.argocd_lua import LuaError, health
from tests.bootstrap.argocd_offline import render

KEY = "resource.customizations.health.autoscaling_HorizontalPodAutoscaler"  # <group>_<kind>, util/settings
NO_METRICS = (
    "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get "
    "metrics for resource cpu: no metrics returned from resource metrics API"
)


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The script as Argo CD gets it: from argocd-cm as bootstrap/argocd renders it."""
    done, objects = render(tmp_path_factory.mktemp("argocd"))
    assert done.returncode == 0, done.stderr
    return objects["ConfigMap", "argocd-cm"]["data"][KEY]


def hpa(*conditions: tuple[str, str, str, str], metrics: bool = True) -> dict[str, Any]:
    """An autoscaling/v2 HPA whose status has these (type, status, reason, message) conditions."""
    status: dict[str, Any] = {
        "currentReplicas": 2,
        "desiredReplicas": 2,
        "conditions": [
            {
                "type": kind,
                "status": state,
                "reason": reason,
                "message": message,
                "lastTransitionTime": "2026-03-01T21:20:53Z",
            }
            for kind, state, reason, message in conditions
        ],
    }
    if metrics:
        cpu = {"name": "cpu", "current": {"averageUtilization": 3, "averageValue": "3m"}}
        status["currentMetrics"] = [{"type": "Resource", "resource": cpu}]
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "users", "namespace": "default"},
        "spec": {
            "minReplicas": 2,
            "maxReplicas": 5,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "users"},
        },
        "status": status,
    }


ABLE = ("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
ACTIVE = (
    "ScalingActive",
    "True",
    "ValidMetricFound",
    "the HPA was able to successfully calculate a replica count from cpu resource utilization",
)
WITHIN_RANGE = ("ScalingLimited", "False", "DesiredWithinRange", "the desired count is within the acceptable range")
NO_SCALE = (
    "AbleToScale",
    "False",
    "FailedGetScale",
    'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "users" not found',
)

SAMPLES = {
    "just created, no status yet": ({**hpa(), "status": {}}, "Progressing", "Waiting to Autoscale"),
    "no metrics yet": (
        hpa(
            ("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's scale"),
            ("ScalingActive", "False", "FailedGetResourceMetric", NO_METRICS),
            metrics=False,
        ),
        "Progressing",
        f"Waiting for metrics: {NO_METRICS}",
    ),
    "held at the minimum (ScalingLimited)": (
        hpa(
            ABLE,
            ACTIVE,
            (
                "ScalingLimited",
                "True",
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            ),
        ),
        "Healthy",
        "recommended size matches current size",
    ),
    "limited, and the only condition that says so": (
        hpa(("ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum")),
        "Healthy",
        "the desired replica count is more than the maximum",
    ),
    "unable to scale, and no metrics either": (
        hpa(NO_SCALE, ("ScalingActive", "False", "FailedGetResourceMetric", NO_METRICS), metrics=False),
        "Degraded",
        NO_SCALE[3],
    ),
    "an invalid selector": (
        hpa(ABLE, ("ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector")),
        "Degraded",
        "the HPA target's scale is missing a selector",
    ),
    "scaling normally (gitops-engine hpa-v2-healthy)": (hpa(ABLE, ACTIVE, WITHIN_RANGE), "Healthy", ABLE[3]),
    "unable to scale (gitops-engine hpa-v2-degraded)": (hpa(NO_SCALE, ACTIVE, WITHIN_RANGE), "Degraded", NO_SCALE[3]),
    "no AbleToScale condition yet (gitops-engine hpa-v2-progressing)": (
        hpa(ACTIVE, WITHIN_RANGE),
        "Progressing",
        "Waiting to Autoscale",
    ),
}


def test_argocd_gets_the_file_of_the_repository(script: str) -> None:
    assert script == (config.ARGOCD_KUSTOMIZATION / "health" / "hpa.lua").read_text()


@pytest.mark.parametrize("sample", SAMPLES, ids=str)
def test_hpa_health(script: str, sample: str) -> None:
    obj, status, message = SAMPLES[sample]
    assert health(script, obj) == {"status": status, "message": message}


def test_a_script_that_needs_the_string_library_fails_as_in_argocd() -> None:
    """The stand-in refuses what Argo CD refuses: without useOpenLibs there is no string library."""
    with pytest.raises(LuaError, match="string"):
        health('return {status = string.upper("healthy")}', hpa())
    with pytest.raises(LuaError, match="attempt to index a string value"):
        health('return {status = ("Healthy"):sub(1)}', hpa())


@pytest.mark.parametrize(
    ("script_text", "expected"),
    [
        ('return {status = "Fine"}', {"status": "Unknown", "message": "Lua returned an invalid health status"}),
        ("return {}", {}),
    ],
)
def test_results_are_read_as_argocd_reads_them(script_text: str, expected: dict[str, str]) -> None:
    assert health(script_text, hpa()) == expected
