"""The tree agrees with registry.py (the checks are tests/support/registry_checks.py), and each check names
what disagrees: they run on the real tree, on a faithful copy, and on copies broken one way each."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from registry import ROOT, SERVICES, Service
from tests.support.registry_checks import CHECKS, CODE, PRUNED, Services, Tree, disagreements, names
from tests.support.shared import shared_dir

REAL = Tree(ROOT, shared_dir() / "contract" / "operations.md")


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_tree_agrees_with_the_registry(check: Callable[[Tree, Services], list[str]]) -> None:
    assert check(REAL, SERVICES) == []


def test_the_registry_names_each_service_and_port_once() -> None:
    assert len(names(SERVICES)) == len(SERVICES)
    assert len({service.port for service in SERVICES}) == len(SERVICES)


@pytest.fixture
def copy(tmp_path: Path) -> Tree:
    """What the checks read, copied: the repository's tracked parts and the contract beside it."""
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns(*PRUNED)
    for folder in (*CODE, "gitops", ".github", "docs"):
        shutil.copytree(ROOT / folder, root / folder, ignore=ignore)
    for path in [*ROOT.glob("*.md"), *ROOT.glob("*.py"), ROOT / "pyproject.toml", ROOT / "requirements-dev.txt"]:
        shutil.copy2(path, root / path.name)
    operations = tmp_path / "shared" / "contract" / "operations.md"
    operations.parent.mkdir(parents=True)
    shutil.copy2(REAL.operations, operations)
    return Tree(root, operations)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} is gone: update this breakage"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


MINIKUBE = "gitops/envs/minikube"
PRODUCTION = "gitops/envs/production"
APPSET = "(one Application per folder, gitops/clusters/minikube's ApplicationSet)"
# (what is broken, how, every disagreement it must cause)
BREAKAGES: list[tuple[str, Callable[[Path, Path], None], list[str]]] = [
    ("no Dockerfile", lambda r, _: (r / "apps/posts/Dockerfile").unlink(), ["apps/posts/Dockerfile is missing"]),
    (
        "no migrations",
        lambda r, _: shutil.rmtree(r / "apps/routes/routes/migrations"),
        ["apps/routes/routes/migrations/env.py is missing"],
    ),
    (
        "no requirements",
        lambda r, _: (r / "apps/offers/requirements.txt").unlink(),
        ["apps/offers/requirements.txt is missing"],
    ),
    (
        "an unlisted image",
        lambda r, _: write(r / "apps/parcels/Dockerfile", "FROM scratch\n"),
        ["apps/parcels/ has a Dockerfile, but the registry has no service parcels"],
    ),
    (
        "a wrong nodePort",
        lambda r, _: edit(r / "gitops/services/offers/kustomization.yaml", "=30003", "=30009"),
        ["gitops/services/offers/kustomization.yaml: the `service` literals say nodePort=30009, the registry 30003"],
    ),
    (
        "a wrong name",
        lambda r, _: edit(r / "gitops/services/users/kustomization.yaml", "name=users", "name=user"),
        ["gitops/services/users/kustomization.yaml: the `service` literals say name=user, the registry users"],
    ),
    (
        "a token client without users-client",
        lambda r, _: edit(r / "gitops/services/routes/kustomization.yaml", "/users-client\n", "/reset-endpoint\n"),
        [
            "gitops/services/routes/kustomization.yaml does not take the users-client component, but in the registry "
            "routes checks tokens"
        ],
    ),
    (
        "users with users-client",
        lambda r, _: edit(
            r / "gitops/services/users/kustomization.yaml", "components:\n", "components:\n  - x/users-client\n"
        ),
        [
            "gitops/services/users/kustomization.yaml takes the users-client component, but in the registry users "
            "does not check tokens"
        ],
    ),
    (
        "an unlisted service folder",
        lambda r, _: write(r / "gitops/services/parcels/kustomization.yaml", "{}\n"),
        ["gitops/services/parcels/ is a service the registry does not list"],
    ),
    (
        "no env folder",
        lambda r, _: shutil.rmtree(r / MINIKUBE / "posts"),
        [
            f"{MINIKUBE}/posts/kustomization.yaml is missing",
            f"{MINIKUBE}/ {APPSET}: no posts",
        ],
    ),
    (
        "an unlisted env folder",
        lambda r, _: shutil.copytree(r / MINIKUBE / "posts", r / MINIKUBE / "parcels"),
        [
            f"{MINIKUBE}/parcels/kustomization.yaml deploys parcels, which the registry does not list",
            f"{MINIKUBE}/ {APPSET}: parcels, which the registry does not list",
        ],
    ),
    (
        "an env folder on another service",
        lambda r, _: edit(r / MINIKUBE / "offers/kustomization.yaml", "services/offers", "services/posts"),
        [f"{MINIKUBE}/offers/kustomization.yaml does not deploy gitops/services/offers"],
    ),
    (
        "the settings folder not excluded",
        lambda r, _: edit(r / "gitops/clusters/minikube/kustomization.yaml", "exclude: true", "exclude: false"),
        [f"{MINIKUBE}/ {APPSET}: settings, which the registry does not list"],
    ),
    (
        "no Application",
        lambda r, _: edit(r / "gitops/clusters/minikube/kustomization.yaml", "minikube/*", "minikube/[a-r]*"),
        [f"{MINIKUBE}/ {APPSET}: no users"],
    ),
    (
        "promote offers one service less",
        lambda r, _: edit(r / ".github/workflows/promote.yml", ", offers]", "]"),
        [".github/workflows/promote.yml, input `service`: no offers"],
    ),
    (
        "promote without its service input",
        lambda r, _: edit(r / ".github/workflows/promote.yml", "      service:\n", "      target:\n"),
        [".github/workflows/promote.yml has no `service` choice input"],
    ),
    (
        "a workflow matrix one service short",
        lambda r, _: edit(
            r / ".github/workflows/ci.yml",
            "jobs:\n",
            "jobs:\n  x:\n    strategy:\n      matrix:\n        service: [users, routes, posts]\n",
        ),
        [".github/workflows/ci.yml, jobs.x.strategy.matrix.service: no offers"],
    ),
    (
        "dependabot one image short",
        lambda r, _: edit(r / ".github/dependabot.yml", "      - /apps/offers\n", ""),
        [".github/dependabot.yml, docker directories: no offers"],
    ),
    (
        "pytest without a service",
        lambda r, _: edit(r / "pyproject.toml", '"apps/offers", ', ""),
        ["pyproject.toml, pytest's pythonpath: no offers"],
    ),
    (
        "ruff without a service",
        lambda r, _: edit(r / "pyproject.toml", '"posts", "offers", "scripts"', '"posts", "scripts"'),
        ["pyproject.toml, ruff's known-first-party: no offers"],
    ),
    (
        "requirements without a service",
        lambda r, _: edit(r / "requirements-dev.txt", "-r apps/posts/requirements.txt\n", ""),
        ["requirements-dev.txt: no posts"],
    ),
    (
        "the contract's table without a service",
        lambda _, s: edit(s, "| posts | 30004 |\n", ""),
        ["operations.md, the table of the services: no posts"],
    ),
    (
        "README on another port",
        lambda r, _: edit(
            r / "README.md",
            "| offers | http://127.0.0.1:30003/offers/ping |",
            "| offers | http://127.0.0.1:30005/offers/ping |",
        ),
        [
            "README.md: offers on port 30005, the registry 30003",
            "README.md:25: a URL of offers on port 30005, the registry's port of offers is 30003",
        ],
    ),
    (
        "README's URL of another service",
        lambda r, _: edit(r / "README.md", "30002/routes/openapi.json", "30002/posts/openapi.json"),
        [
            "README.md: the OpenAPI document of routes is a URL of posts",
            "README.md:24: a URL of posts on port 30002, the registry's port of posts is 30004",
        ],
    ),
    (
        "CONTRIBUTING says routes needs no users",
        lambda r, _: edit(r / "CONTRIBUTING.md", "| 30002 | yes |", "| 30002 | no |"),
        ["CONTRIBUTING.md: routes needs USERS_PATH: 'no', but in the registry it checks tokens"],
    ),
    (
        "CONTRIBUTING's package of another service",
        lambda r, _: edit(r / "CONTRIBUTING.md", "`apps/posts/posts`", "`apps/posts/offers`"),
        ["CONTRIBUTING.md: the package of posts is apps/posts/offers"],
    ),
    (
        "CONTRIBUTING's label one service short",
        lambda r, _: edit(r / "CONTRIBUTING.md", "`users`, `routes`, `posts`, `offers`", "`users`, `routes`, `posts`"),
        ["CONTRIBUTING.md, the label app.kubernetes.io/name: no offers"],
    ),
    (
        "a doc with a wrong port",
        lambda r, _: write(r / "docs/x.md", "see http://192.168.49.2:30001/posts/ping\n"),
        ["docs/x.md:1: a URL of posts on port 30001, the registry's port of posts is 30004"],
    ),
    (
        "a script with its own list",
        lambda r, _: write(r / "scripts/x.py", 'PORTS = {"users": 30001, "posts": 30004}\n'),
        ["scripts/x.py:1: lists the services users, posts again: the one list is registry.py"],
    ),
    (
        "an app that imports the registry",
        lambda r, _: write(r / "apps/core/service_core/x.py", "from registry import NAMES\n"),
        ["apps/core/service_core/x.py:1: imports registry, which no image holds"],
    ),
]


def test_the_copy_agrees(copy: Tree) -> None:
    """The broken copies below differ from a faithful one by their breakage only."""
    assert disagreements(copy, SERVICES) == []


@pytest.mark.parametrize(("breakage", "expected"), [b[1:] for b in BREAKAGES], ids=[b[0] for b in BREAKAGES])
def test_each_disagreement_is_named(copy: Tree, breakage: Callable[[Path, Path], None], expected: list[str]) -> None:
    breakage(copy.root, copy.operations)
    assert sorted(disagreements(copy, SERVICES)) == sorted(expected)


def test_a_registry_entry_without_its_folders_is_named_everywhere(copy: Tree) -> None:
    parcels = Service("parcels", 30005, checks_tokens=True)
    found = disagreements(copy, (*SERVICES, parcels))
    assert found == [
        "apps/parcels/Dockerfile is missing",
        "apps/parcels/requirements.txt is missing",
        "apps/parcels/parcels/migrations/env.py is missing",
        "gitops/services/parcels/kustomization.yaml is missing",
        f"{MINIKUBE}/parcels/kustomization.yaml is missing",
        f"{PRODUCTION}/parcels/kustomization.yaml is missing",
        f"{MINIKUBE}/ {APPSET}: no parcels",
        f"{PRODUCTION}/ {APPSET.replace('minikube', 'production')}: no parcels",
        ".github/workflows/promote.yml, input `service`: no parcels",
        ".github/dependabot.yml, docker directories: no parcels",
        "pyproject.toml, pytest's pythonpath: no parcels",
        "pyproject.toml, ruff's known-first-party: no parcels",
        "requirements-dev.txt: no parcels",
        "operations.md, the table of the services: no parcels",
        "README.md, the table of the services: no parcels",
        "CONTRIBUTING.md, the table of the services: no parcels",
        "CONTRIBUTING.md, the label app.kubernetes.io/name: no parcels",
    ]


def checklist() -> str:
    """The "Adding a service" section of CONTRIBUTING.md."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return text.split("## Adding a service", 1)[1].split("\n#", 1)[0]


def places(sentences: list[str], service: str) -> list[str]:
    """The file each sentence names, written as the checklist writes it (`<svc>`, `<env>`)."""
    found = []
    for sentence in sentences:
        place = sentence.split(" ", 1)[0].rstrip(":,")
        found.append(re.sub(r"^gitops/envs/[\w-]+/", "gitops/envs/<env>/", place.replace(service, "<svc>")))
    return found


def test_the_add_a_service_checklist_names_every_place_the_registry_test_asks_for(copy: Tree) -> None:
    missing = disagreements(copy, (*SERVICES, Service("parcels", 30005, checks_tokens=True)))
    assert missing, "a service without folders must be reported"
    named = checklist()
    assert [place for place in places(missing, "parcels") if f"`{place}" not in named] == []


def test_the_checklist_check_sees_a_place_left_out() -> None:
    sentences = ["apps/parcels/Dockerfile is missing", ".github/dependabot.yml, docker directories: no parcels"]
    assert places(sentences, "parcels") == ["apps/<svc>/Dockerfile", ".github/dependabot.yml"]
    assert "`.github/dependabot.yml" in checklist()
    assert "`apps/<svc>/Dockerfile" in checklist()
    assert "`gitops/envs/<env>/nowhere" not in checklist()
