"""What an AppProject permits, decided the way Argo CD v3.5.1 decides it, so that a rule can ask "may this project
deploy to namespace argocd?" and get Argo CD's answer for wildcards and `!` patterns too.

Ported from argoproj/argo-cd, tag v3.5.1, pkg/apis/application/v1alpha1/app_project_types.go:
isDestinationMatched, globMatch, isDenyPattern and IsGroupKindNamePermitted; the glob syntax is that of
github.com/gobwas/glob without separators (util/glob/glob.go): `*`, `?`, `[abc]`, `[!a-z]`, `{a,b}`, `\\`.
"""

from __future__ import annotations

import functools
import re

from tests.support.manifests import Obj


def _regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        end = pattern.find("]" if char == "[" else "}", i + 1) if char in "[{" else -1
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[" and end > i:
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        elif char == "{" and end > i:
            out.append("(?:" + "|".join(_regex(part) for part in pattern[i + 1 : end].split(",")) + ")")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(_regex(pattern), re.S)


def is_deny(pattern: str) -> bool:
    return pattern.startswith("!")


def glob_match(pattern: str, value: str, allow_negation: bool = True) -> bool:
    if allow_negation and is_deny(pattern):
        return not _compiled(pattern[1:]).fullmatch(value)
    return pattern == "*" or bool(_compiled(pattern).fullmatch(value))


def may_deploy_to(project: Obj, server: str, name: str, namespace: str) -> bool:
    """Whether an Application of `project` may deploy to `namespace` of the cluster (server, name)."""
    matched = False
    for item in project.get("spec", {}).get("destinations") or []:
        item_server, item_name, item_namespace = (item.get(key) or "" for key in ("server", "name", "namespace"))
        name_matched = bool(name) and glob_match(item_name, name)
        server_matched = bool(server) and glob_match(item_server, server)
        namespace_matched = glob_match(item_namespace, namespace)
        if (server_matched or name_matched) and namespace_matched:
            matched = True
        elif (not name_matched and is_deny(item_name)) or (
            not server_matched and is_deny(item_server) and namespace_matched
        ):
            return False  # Go's precedence, kept: `a || b && c`
        elif not namespace_matched and is_deny(item_namespace) and server_matched:
            return False
    return matched


def _listed(group: str, kind: str, items: list[Obj]) -> bool:
    return any(
        glob_match(item.get("group") or "", group, False) and glob_match(item.get("kind") or "", kind, False)
        for item in items
    )


def may_manage(project: Obj, group: str, kind: str, namespaced: bool = True) -> bool:
    """Whether an Application of `project` may create objects of this kind. A namespaced whitelist that is
    absent admits every kind; an empty one admits none. A cluster-scoped kind needs a non-empty whitelist."""
    spec = project.get("spec", {})
    prefix = "namespace" if namespaced else "cluster"
    whitelist, blacklist = spec.get(f"{prefix}ResourceWhitelist"), spec.get(f"{prefix}ResourceBlacklist") or []
    if namespaced:
        admitted = whitelist is None or (len(whitelist) > 0 and _listed(group, kind, whitelist))
    else:
        admitted = bool(whitelist) and _listed(group, kind, whitelist)
    return admitted and not _listed(group, kind, blacklist)
