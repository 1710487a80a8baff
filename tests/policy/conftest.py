"""Render once per session, the way `make render` does, and share the parsed objects between the tests: every
variant (tests/policy/variants.py) is rendered and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.delivery import render
from tests.policy.variants import VARIANTS
from tests.support.manifests import Obj, load


@pytest.fixture(scope="session")
def kubectl() -> Path:
    return render.find_kubectl()


@pytest.fixture(scope="session")
def rendered(kubectl: Path) -> dict[str, str]:
    """What `make render` writes: file name -> text."""
    return render.render_all(kubectl=kubectl)


@pytest.fixture(scope="session")
def variant_docs(rendered: dict[str, str], kubectl: Path) -> dict[str, list[Obj]]:
    """Variant name -> its rendered objects; `<env>` and `<env>+isolated` are exactly `make render`'s files."""
    result = {}
    components = {component.name: component for component in render.optional_components()}
    for variant in VARIANTS:
        env, *names = variant.split("+")
        written = f"{env}{''.join(f'-{name}' for name in names)}.yaml"  # minikube.yaml, minikube-isolated.yaml
        if written in rendered:
            text = rendered[written]
        else:
            text = render.render_env(render.GITOPS / "envs" / env, [components[n] for n in names], kubectl)
        result[variant] = load(text)
    return result


@pytest.fixture(scope="session")
def minikube(variant_docs: dict[str, list[Obj]]) -> list[Obj]:
    """The Minikube environment as `make render` writes it: what the breach tests break."""
    return variant_docs["minikube"]


@pytest.fixture(scope="session")
def argocd_docs(rendered: dict[str, str]) -> list[Obj]:
    return load(rendered["argocd.yaml"])


@pytest.fixture(scope="session")
def minikube_isolated(variant_docs: dict[str, list[Obj]]) -> list[Obj]:
    """The Minikube environment in the isolated profile, as `make render` writes it (minikube-isolated.yaml)."""
    return variant_docs[f"minikube+{render.ISOLATED}"]
