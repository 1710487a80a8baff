"""Render once per session, the way `make render` does, and share the parsed objects between the tests.

A variant is one environment with one combination of the opt-in components of gitops/components/
(`minikube`, `minikube+ephemeral-database`, ...): every combination is rendered and checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import render
from tests.policy.manifests import Obj, load

VARIANTS = [
    "+".join([env.name, *(component.name for component in combination)])
    for env in render.environments()
    for combination in render.component_sets(render.optional_components())
]
ENVS = [env.name for env in render.environments()]


@pytest.fixture(scope="session")
def kubectl() -> Path:
    return render.find_kubectl()


@pytest.fixture(scope="session")
def rendered(kubectl: Path) -> dict[str, str]:
    """What `make render` writes: file name -> text."""
    return render.render_all(kubectl=kubectl)


@pytest.fixture(scope="session")
def variant_docs(rendered: dict[str, str], kubectl: Path) -> dict[str, list[Obj]]:
    """Variant name -> its rendered objects; the plain environments are exactly `make render`'s files."""
    result = {}
    components = {component.name: component for component in render.optional_components()}
    for variant in VARIANTS:
        env, *names = variant.split("+")
        if names:
            text = render.render_env(render.GITOPS / "envs" / env, [components[n] for n in names], kubectl)
        else:
            text = rendered[f"{env}.yaml"]
        result[variant] = load(text)
    return result


@pytest.fixture(scope="session")
def minikube(variant_docs: dict[str, list[Obj]]) -> list[Obj]:
    """The Minikube environment as `make render` writes it: what the breach tests break."""
    return variant_docs["minikube"]


@pytest.fixture(scope="session")
def argocd_docs(rendered: dict[str, str]) -> list[Obj]:
    return load(rendered["argocd.yaml"])
