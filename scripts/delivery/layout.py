"""The folders delivery works on: the repository root, gitops/, its environments and the services each deploys.

A service of an environment is a folder gitops/envs/<env>/<svc>/ holding a kustomization that is not a
Component (an env's settings/ is one: what its services include, not a service itself).
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

# Not registry.ROOT: delivery never imports the registry (run as scripts/bump_image_tag.py, the root is not even
# on sys.path).
ROOT = Path(__file__).resolve().parents[2]
GITOPS = ROOT / "gitops"


def environments(gitops: Path = GITOPS) -> list[Path]:
    """The folders of gitops/envs/, by name (none when there is no envs/ folder)."""
    envs = gitops / "envs"
    return sorted(path for path in envs.iterdir() if path.is_dir()) if envs.is_dir() else []


def services(env: Path) -> list[Path]:
    """The env's service folders: each is what one Argo CD Application syncs."""
    return sorted(path.parent for path in env.glob("*/kustomization.yaml") if not is_component(path))


def service_names(gitops: Path = GITOPS) -> list[str]:
    """Every service that some environment deploys, by name."""
    return sorted({service.name for env in environments(gitops) for service in services(env)})


def kustomization_path(gitops: Path, env: str, service: str) -> Path:
    return gitops / "envs" / env / service / "kustomization.yaml"


def is_component(kustomization: Path) -> bool:
    """`kind: Component`, decided by the file's kind, not by the folder's name."""
    try:
        document = YAML(typ="safe", pure=True).load(kustomization.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError):
        return False  # a service with a broken file: kustomize, or the bump, names the error
    return isinstance(document, dict) and document.get("kind") == "Component"
