"""gitops/README.md against the tree: it names every folder and only folders that are there, the kinds are the
ones it says, its profile switch points at the component, and its recipe adds a fifth service like the four."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from registry import ROOT
from scripts.delivery import render
from tests.policy.rules import template_filled
from tests.support.manifests import NAME, Obj, find, labels, load

README = render.GITOPS / "README.md"
ENVS = [env.name for env in render.environments()]
SERVICES = sorted({service.name for env in render.environments() for service in render.services(env)})
# A path in backticks: `envs/<env>/<svc>/`, `service-name.yaml`, `.github/workflows/deliver.yml`.
_PATH = re.compile(r"`(\.?[\w<>-]+(?:[./][\w<>-]+)*/?)`")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def named_paths() -> list[str]:
    """The files and folders the README names in backticks (not `newTag`, `make render` or `svc`)."""
    return [match for match in _PATH.findall(readme()) if "/" in match or match.endswith((".yaml", ".py", ".md"))]


def generalised(relative: Path) -> str:
    """envs/minikube/users -> envs/<env>/<svc>: how the README names a folder of every env or service."""
    top, *rest = relative.parts
    if top == "envs" and rest:
        rest[0] = "<env>"
        rest[1:2] = ["<svc>" if name in SERVICES else name for name in rest[1:2]]
    if top == "services" and rest:
        rest[0] = "<svc>"
    return "/".join([top, *rest])


def instances(path: str) -> set[str]:
    """`envs/<env>/<svc>/x` -> that path for every environment and service."""
    envs = ENVS if "<env>" in path else [""]
    services = SERVICES if "<svc>" in path else [""]
    return {path.replace("<env>", env).replace("<svc>", svc) for env in envs for svc in services}


def test_the_readme_names_every_folder_of_gitops() -> None:
    """By its path (`envs/<env>/settings/`, or a path inside it), or a block by its name in its folder's row."""
    paths = named_paths()
    folders = {generalised(path.relative_to(render.GITOPS)) for path in render.GITOPS.rglob("*") if path.is_dir()}
    named = {folder for folder in folders for path in paths if path.startswith(f"{folder}/")}
    named |= {folder for folder in folders if f"{folder.rsplit('/', 1)[-1]}/" in paths}
    assert sorted(folders - named) == []


def test_every_path_the_readme_names_is_there() -> None:
    names = {path.name for path in render.GITOPS.rglob("*")}  # a block named in its folder's row: `users-client/`
    written = f"{render.DEFAULT_OUT.relative_to(ROOT)}/"  # what `make render` writes: not there before it runs
    paths = named_paths()
    assert "service-template/" in paths and written in paths
    missing = [
        path
        for path in paths
        if path.rstrip("/") not in names
        and path != written
        and not all((render.GITOPS / p).exists() or (ROOT / p).exists() for p in instances(path))
    ]
    assert missing == []


def kind(folder: Path) -> str:
    return yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))["kind"]


def test_the_template_its_blocks_the_opt_in_variants_and_the_settings_are_components() -> None:
    gitops = render.GITOPS
    components = [
        gitops / "service-template",
        *(path.parent for path in gitops.glob("service-template/*/kustomization.yaml")),
        *render.optional_components(),
        *(gitops / "envs" / env / "settings" for env in ENVS),
    ]
    services = [*gitops.glob("services/*"), *(s for env in render.environments() for s in render.services(env))]
    assert render.optional_components() and len(components) > len(ENVS) and len(services) > len(SERVICES)
    assert {str(path.relative_to(gitops)): kind(path) for path in components + services} == {
        **{str(path.relative_to(gitops)): "Component" for path in components},
        **{str(path.relative_to(gitops)): "Kustomization" for path in services},
    }


def test_the_documented_profile_switch_names_the_isolated_component() -> None:
    switch = re.search(r"`- (\S+)` under `components:` of\s+`(envs/<env>/settings/kustomization.yaml)`", readme())
    assert switch, "the README no longer says how to switch an environment's profile"
    entry, settings = switch.groups()
    for path in instances(settings):
        assert (render.GITOPS / path).parent.joinpath(entry).resolve() == render.GITOPS / "components" / "isolated"


NEW, SIBLING, PORT = "parcels", "routes", 30005  # a fifth service that checks tokens, copied as the README says


def add_a_service(gitops: Path) -> list[str]:
    """The README's steps in a copy of gitops/; returns the files they write."""
    steps = {
        f"services/{NEW}/kustomization.yaml": f"services/{SIBLING}/kustomization.yaml",
        f"envs/minikube/{NEW}/kustomization.yaml": f"envs/minikube/{SIBLING}/kustomization.yaml",
    }
    for new, sibling in steps.items():
        text = (gitops / sibling).read_text(encoding="utf-8").replace(SIBLING, NEW)
        (gitops / new).parent.mkdir(parents=True, exist_ok=True)
        (gitops / new).write_text(re.sub(r"nodePort=\d+", f"nodePort={PORT}", text), encoding="utf-8")
    return list(steps)


def test_the_readme_recipe_adds_a_service_and_changes_nothing_else(
    tmp_path: Path, kubectl: Path, minikube: list[Obj]
) -> None:
    gitops = tmp_path / "gitops"
    shutil.copytree(render.GITOPS, gitops)
    written = add_a_service(gitops)
    text = readme()
    assert [path for path in written if path.replace(NEW, "<svc>").replace("minikube", "<env>") not in text] == []

    docs = load(render.render_env(gitops / "envs" / "minikube", kubectl=kubectl))
    new = [doc for doc in docs if labels(doc).get(NAME) == NEW]
    assert [doc for doc in docs if doc not in new] == minikube  # the four services as they were
    assert {doc["kind"] for doc in new} == {doc["kind"] for doc in minikube if labels(doc).get(NAME) == SIBLING}
    assert template_filled(new) == []
    container = find(new, "Deployment", NEW)["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].endswith(f"/{NEW}:{_tag(gitops, SIBLING)}")
    assert {"name": "USERS_PATH", "value": "http://users:5000"} in container["env"]
    assert find(new, "Service", NEW)["spec"]["ports"][0]["nodePort"] == PORT

    application = find(load(render.render_argocd(gitops, kubectl)["argocd.yaml"]), "Application", NEW)
    assert application["spec"]["source"]["path"] == f"gitops/envs/minikube/{NEW}"  # made by the ApplicationSet


def _tag(gitops: Path, service: str) -> str:
    path = gitops / "envs" / "minikube" / service / "kustomization.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["images"][0]["newTag"]


def test_no_folder_is_called_base() -> None:
    """The template was gitops/base/, though it is a Component that every service includes, not a base that is
    built on its own before the service names it: the name sent newcomers the wrong way."""
    assert [str(path.relative_to(render.GITOPS)) for path in render.GITOPS.rglob("base") if path.is_dir()] == []
