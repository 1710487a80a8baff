"""Executors: what happens to each step of a plan. The real one runs it; the dry run only prints it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from bootstrap.config import REPO_ROOT
from bootstrap.errors import BootstrapError
from bootstrap.steps import ApiCall, Command, Note, Step, command_line, describe

if TYPE_CHECKING:
    from bootstrap.kube import Kube


class Executor(Protocol):
    def __call__(self, step: Step) -> Any: ...


class DryRun:
    """Prints each step, numbered, and never runs a program or calls the API. A query returns the fact of
    its name from `facts` (tests inject e.g. existing_secrets={"users-db-credentials"}), else None."""

    def __init__(self, out: TextIO, facts: Mapping[str, Any] | None = None) -> None:
        self.out = out
        self.facts = dict(facts or {})
        self.count = 0

    def __call__(self, step: Step) -> Any:
        if isinstance(step, Note):
            print(f"       {describe(step)}", file=self.out)
            return None
        self.count += 1
        print(f"{self.count:>4}. {describe(step)}", file=self.out)
        return self.facts.get(step.read) if step.read else None


class RealRun:
    """Runs commands with subprocess (their output goes straight to the terminal, unless they are queries)
    and API calls with a Kube connected on first use, i.e. after Minikube has written the kube context."""

    def __init__(self, out: TextIO, env: Mapping[str, str], connect: Callable[[], Kube]) -> None:
        self.out = out
        self.env = dict(env)
        self.connect = connect
        self._kube: Kube | None = None
        self.count = 0

    def __call__(self, step: Step) -> Any:
        if isinstance(step, Note):
            print(f"      {describe(step)}", file=self.out, flush=True)
            return None
        self.count += 1
        print(f"==> [{self.count}] {describe(step)}", file=self.out, flush=True)
        if isinstance(step, Command):
            return self._run(step)
        return self._call(step)

    def _run(self, step: Command) -> Any:
        try:
            done = subprocess.run(  # from the repository root: the plan's paths are relative to it
                step.argv,
                cwd=REPO_ROOT,
                env=self.env,
                check=False,
                text=True,
                capture_output=step.read is not None,
            )
        except OSError as error:
            raise BootstrapError(f"could not run {step.argv[0]}: {error}") from error
        if step.check and done.returncode != 0:
            details = (done.stderr or "").strip() if step.read else ""
            raise BootstrapError(
                f"`{command_line(step)}` failed with exit code {done.returncode}" + (f": {details}" if details else "")
            )
        return step.parse(done.stdout) if step.read else None

    def _call(self, step: ApiCall) -> Any:
        if step.call is None:
            raise BootstrapError(f"nothing to do for `{describe(step)}`")
        if self._kube is None:
            self._kube = self.connect()
        try:
            return step.call(self._kube)
        except BootstrapError:
            raise
        except Exception as error:  # an API error or a refused connection: one line, not a traceback
            raise BootstrapError(f"`{step.verb} {step.target}` failed: {one_line(error)}") from error


def one_line(error: Exception) -> str:
    """The gist of an exception; for the client's ApiException, its status and the API's own message."""
    status = getattr(error, "status", None)
    if status is not None:
        try:
            message = json.loads(getattr(error, "body", None) or "{}").get("message", "")
        except ValueError:
            message = ""
        return f"HTTP {status} {getattr(error, 'reason', '')}: {message}".rstrip(": ")
    return " ".join(f"{type(error).__name__}: {error}".split())
