"""The three kinds of step a plan is made of, and how each is shown to the user."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bootstrap.config import REPO_ROOT

if TYPE_CHECKING:
    from bootstrap.kube import Kube


@dataclass(frozen=True)
class Command:
    """A program to run. With `read`, a query: its stdout, parsed, is the result (the dry run returns the
    injected fact of that name instead, or None: unknown)."""

    argv: tuple[str, ...]
    why: str = ""
    read: str | None = None
    parse: Callable[[str], Any] = field(default=str.strip, compare=False, repr=False)
    check: bool = True  # a non-zero exit is an error (queries such as `minikube status` set False)


@dataclass(frozen=True)
class ApiCall:
    """A Kubernetes API call made with the `kubernetes` client; `call` receives the connected Kube."""

    verb: str  # read, list, create, apply, patch, wait
    target: str  # e.g. "Secret default/users-db-credentials"
    why: str = ""
    read: str | None = None
    call: Callable[[Kube], Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Note:
    """A decision already taken from what was read: nothing to do, but the user should see why."""

    text: str


Step = Command | ApiCall | Note


def shown(program: str, bare: bool = True) -> str:
    """A program path as the user would type it: relative inside the repository, else its bare name (a
    program found on PATH) or, with bare=False, the full path."""
    path = Path(program)
    if not path.is_absolute():
        return program
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return path.name if bare else program


def command_line(step: Command) -> str:
    return shlex.join([shown(step.argv[0]), *step.argv[1:]])


def describe(step: Step) -> str:
    if isinstance(step, Note):
        return step.text
    text = "run   " + command_line(step) if isinstance(step, Command) else f"api   {step.verb} {step.target}"
    return f"{text}   # {step.why}" if step.why else text
