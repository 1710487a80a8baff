"""The root Application and its AppProject as committed, pointed at the real repository and revision.

The committed files carry a placeholder `repoURL` (CONTRIBUTING.md "Argo CD"). These pure functions
return copies with REPO_URL and REVISION in every place that Argo CD reads them: the project's
`sourceRepos`, the root Application's source, and the kustomize patches through which the root
Application hands both values on to everything it syncs from gitops/clusters/<env>/: the Applications,
the ApplicationSet (its generator and its template) and the AppProjects.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

SOURCE_PATHS = {"/spec/source/repoURL": "repoURL", "/spec/source/targetRevision": "targetRevision"}
# The other places of the synced objects that name the repository or the revision: JSON patch path -> field.
SYNCED_PATHS = {
    "/spec/generators/0/git/repoURL": "repoURL",  # ApplicationSet
    "/spec/generators/0/git/revision": "targetRevision",
    "/spec/template/spec/source/repoURL": "repoURL",
    "/spec/template/spec/source/targetRevision": "targetRevision",
    "/spec/sourceRepos": "sourceRepos",  # AppProject
}


def load(path: Path) -> Obj:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def with_repository(project: Obj, repo_url: str) -> Obj:
    """The AppProject limited to exactly this repository."""
    result = copy.deepcopy(project)
    result.setdefault("spec", {})["sourceRepos"] = [repo_url]
    return result


def children_patch(repo_url: str, revision: str) -> Obj:
    """A kustomize patch that sets the source of every child Application. `add` also works where a child
    omits targetRevision (JSON patch `add` replaces an existing member)."""
    ops = [
        {"op": "add", "path": "/spec/source/repoURL", "value": repo_url},
        {"op": "add", "path": "/spec/source/targetRevision", "value": revision},
    ]
    return {
        "target": {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application"},
        "patch": yaml.safe_dump(ops, sort_keys=False),
    }


def _retarget(patch: Obj, values: dict[str, Any]) -> tuple[Obj, set[str]]:
    """The patch with any repoURL/targetRevision/sourceRepos it sets replaced by `values`, and which of the
    Application's two source fields it set.

    Understands inline JSON 6902 patches (a list of ops) and strategic-merge patches (spec.source...);
    anything else (a `path:` to a file, another kind of change) is returned unchanged.
    """
    text = patch.get("patch")
    if not isinstance(text, str):
        return patch, set()
    doc = yaml.safe_load(text)
    covered: set[str] = set()
    changed = False
    if isinstance(doc, list):
        for op in doc:
            path = op.get("path", "") if isinstance(op, dict) else ""
            field = SOURCE_PATHS.get(path) or SYNCED_PATHS.get(path)
            if field and "value" in op:
                op["value"] = values[field]
                changed = True
                if path in SOURCE_PATHS:
                    covered.add(field)
    elif isinstance(doc, dict):
        source = (doc.get("spec") or {}).get("source")
        if isinstance(source, dict):
            for field in SOURCE_PATHS.values():
                if field in source:
                    source[field] = values[field]
                    covered.add(field)
                    changed = True
    if not changed:
        return patch, set()
    return {**patch, "patch": yaml.safe_dump(doc, sort_keys=False)}, covered


def with_source(root_app: Obj, repo_url: str, revision: str, path: str | None = None) -> Obj:
    """The root Application reading `path` (if given) of `repo_url` at `revision`, and passing both on to what
    it syncs."""
    result = copy.deepcopy(root_app)
    source = result.setdefault("spec", {}).setdefault("source", {})
    source["repoURL"] = repo_url
    source["targetRevision"] = revision
    if path is not None:
        source["path"] = path
    kustomize = source.setdefault("kustomize", {})
    values = {"repoURL": repo_url, "targetRevision": revision, "sourceRepos": [repo_url]}
    patches, covered = [], set()
    for patch in kustomize.get("patches") or []:
        retargeted, fields = _retarget(patch, values)
        patches.append(retargeted)
        covered |= fields
    if covered != set(SOURCE_PATHS.values()):
        patches.append(children_patch(repo_url, revision))  # last, so that it wins
    kustomize["patches"] = patches
    return result
