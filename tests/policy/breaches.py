"""Ways to break rendered manifests, one at a time: each proves that a rule can fail.

A Breach changes one object of a copy of the rendered objects in the one way its rule guards against;
the rule must then report that object by its `Kind/name`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.manifests import Obj, find

DELETE = object()  # as a value: remove the field
Path = tuple[str | int, ...]
Change = Callable[[list[Obj]], None]  # breaks a list of rendered objects in place


def _set(obj: Any, path: Path, value: Any) -> None:
    *parents, last = path
    for key in parents:
        obj = obj[key]
    if value is DELETE:
        del obj[last]
    else:
        obj[last] = value


@dataclass(frozen=True)
class Breach:
    rule: str
    target: str  # Kind/name the rule must name: the object broken, or the one a break leaves short
    what: str  # a few words for the test id
    path: Path = ()
    value: Any = DELETE
    custom: Change | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.what}"

    def applied_to(self, docs: list[Obj]) -> list[Obj]:
        """A broken copy of docs."""
        broken = copy.deepcopy(docs)
        if self.custom is not None:
            self.custom(broken)
        else:
            kind, name = self.target.split("/", 1)
            _set(find(broken, kind, name), self.path, self.value)
        return broken


def container(index: int = 0) -> Path:
    return ("spec", "template", "spec", "containers", index)


def pod() -> Path:
    return ("spec", "template", "spec")


def cron_pod() -> Path:
    """A CronJob's pod spec, inside its Job template."""
    return ("spec", "jobTemplate", *pod())


def cron_container(index: int = 0) -> Path:
    return (*cron_pod(), "containers", index)


def annotation(key: str) -> Path:
    return ("metadata", "annotations", key)


def removing(kind: str, name: str) -> Change:
    def remove(docs: list[Obj]) -> None:
        docs.remove(find(docs, kind, name))

    return remove


def adding(obj: Obj) -> Change:
    return lambda docs: docs.append(copy.deepcopy(obj))
