"""The Applications that an ApplicationSet's git directories generator makes from a checkout, computed offline so
that `make render` and the policy tests see what Argo CD will create.

Follows argoproj/argo-cd, tag v3.5.1: applicationset/generators/git.go (filterApps: a directory is kept when some
`directories` entry matches it and no `exclude: true` entry does; Go's path.Match, whose `*` stops at `/`;
generateParamsFromApps: `.path.path`, `.path.basename`, `.path.basenameNormalized`, `.path.segments` with
goTemplate), reposerver/repository/repository.go GetGitDirectories (every directory of the checkout, relative
to its root, hidden ones skipped) and docs/operator-manual/applicationset/Generators-Git.md. Only what this
repository uses: one git generator, goTemplate with missingkey=error, `{{.path.<key>}}` fields in strings.
Git keeps no empty directory: a folder here without a file would yield an Application that Argo CD never makes.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

Obj = dict[str, Any]

_FIELD = re.compile(r"\{\{\s*\.path\.(\w+)\s*\}\}")
_ANY_ACTION = re.compile(r"\{\{.*?\}\}")


class GeneratorError(Exception):
    """An ApplicationSet this module cannot expand the way Argo CD would."""


def path_match(pattern: str, name: str) -> bool:
    """Go's path.Match: `*` and `?` never match `/`, `[...]` is a class (`[^...]` negated), `\\` escapes."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out.append("[^/" + body[1:] + "]" if body.startswith("^") else "[" + body + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.fullmatch("".join(out), name) is not None


def directories(root: Path) -> list[str]:
    """Every directory under `root`, relative and `/`-separated, in lexical walk order; hidden ones skipped."""
    found = []
    for current, subdirs, _ in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        found += [Path(current, d).relative_to(root).as_posix() for d in subdirs]
    return sorted(found)


def selected(entries: list[Obj], paths: list[str]) -> list[str]:
    """filterApps: the paths that an include entry matches and no exclude entry does."""
    kept = []
    for path in paths:
        matching = [entry for entry in entries if path_match(entry["path"], path)]
        if any(not entry.get("exclude") for entry in matching) and not any(entry.get("exclude") for entry in matching):
            kept.append(path)
    return kept


def params(path: str) -> dict[str, Any]:
    base = path.rsplit("/", 1)[-1]
    # applicationset/utils/template_functions.go SanitizeName: lower case, [^-a-z0-9.] -> `-`, 253 chars, trimmed.
    normalized = re.sub(r"[^-a-z0-9.]", "-", base.lower())[:253].strip("-.")
    return {"path": path, "basename": base, "basenameNormalized": normalized, "segments": path.split("/")}


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if not isinstance(value, str):
        return value

    def field(match: re.Match[str]) -> str:
        if match[1] not in values:  # missingkey=error
            raise GeneratorError(f"template field .path.{match[1]} does not exist")
        return str(values[match[1]])

    filled = _FIELD.sub(field, value)
    if _ANY_ACTION.search(filled):
        raise GeneratorError(f"template action in {value!r} is not supported here")
    return filled


def generate(appset: Obj, checkout: Path) -> list[Obj]:
    """The Applications that `appset` makes from the directories of `checkout`, in the generator's order."""
    spec = appset["spec"]
    generators = spec.get("generators") or []
    if len(generators) != 1 or "git" not in generators[0] or spec.get("goTemplate") is not True:
        raise GeneratorError("only one git generator with goTemplate: true is supported")
    entries = generators[0]["git"].get("directories") or []
    apps = []
    for path in selected(entries, directories(checkout)):
        template = _fill(copy.deepcopy(spec["template"]), params(path))
        metadata = {**template.get("metadata", {}), "namespace": appset["metadata"]["namespace"]}
        apps.append(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Application",
                "metadata": metadata,
                "spec": template["spec"],
            }
        )
    return apps
