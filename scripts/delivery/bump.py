"""Set the image tag (or digest) that an environment deploys for one or more services.

    python scripts/bump_image_tag.py [--env ENV] [--check] SERVICE=TAG [SERVICE=TAG ...]
    python -m scripts.delivery.bump  (the same)

The tag lives only in the `images:` entry named after the service in `gitops/envs/<env>/<svc>/kustomization.yaml`
(kustomization.py edits it, one line per service). A service is known if some environment has such a folder.

Exit status: 0 done (or nothing to do), 1 `--check` found a pending change, 2 bad arguments or a file
that cannot be edited (one line on stderr, no file touched).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from .kustomization import DIGEST_KEY, TAG_KEY, BumpError, image_ref, set_image_ref
from .layout import GITOPS, environments, kustomization_path, service_names

DEFAULT_ENV = "minikube"

# The Docker reference grammar for a tag, and the only digest algorithm the registries we use serve.
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Bump:
    service: str
    ref: str  # a tag, or sha256:<hex> for a digest

    @property
    def key(self) -> str:
        return DIGEST_KEY if self.ref.startswith("sha256:") else TAG_KEY


@dataclass(frozen=True)
class Edit:
    """The planned change of one kustomization file (`new == old` when it is already up to date)."""

    service: str
    path: Path
    old: str
    new: str
    before: str  # the reference the file had, for the report
    after: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


# --- validation -----------------------------------------------------------------------------------


def validate_ref(ref: str) -> str:
    """Return `ref` if it is a valid image tag or sha256 digest, else raise BumpError."""
    if ref.startswith("sha256:"):
        if _DIGEST.fullmatch(ref):
            return ref
        raise BumpError(f"invalid digest {ref!r}: expected sha256: followed by 64 lowercase hex digits")
    if _TAG.fullmatch(ref):
        return ref
    raise BumpError(
        f"invalid image tag {ref!r}: use 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
    )


def parse_bumps(args: Iterable[str], known: Sequence[str]) -> list[Bump]:
    """Parse `SERVICE=TAG` arguments; every service at most once, all of them in `known`."""
    bumps: list[Bump] = []
    seen: set[str] = set()
    for arg in args:
        service, sep, ref = arg.partition("=")
        if not sep or not service:
            raise BumpError(f"expected SERVICE=TAG, got {arg!r}")
        if service not in known:
            listed = ", ".join(known) or "none (no gitops/envs/<env>/<svc>/kustomization.yaml)"
            raise BumpError(f"unknown service {service!r}: expected one of {listed}")
        if service in seen:
            raise BumpError(f"service {service!r} is given more than once")
        seen.add(service)
        bumps.append(Bump(service, validate_ref(ref)))
    if not bumps:
        raise BumpError("nothing to bump: give at least one SERVICE=TAG")
    return bumps


def check_environment(gitops_dir: Path, env: str) -> None:
    known = [path.name for path in environments(gitops_dir)]
    if env not in known:
        listed = ", ".join(known) if known else f"none in {gitops_dir / 'envs'}"
        raise BumpError(f"unknown environment {env!r}: expected one of {listed}")


# --- planning and writing -------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def plan(gitops_dir: Path, env: str, bumps: Sequence[Bump]) -> list[Edit]:
    """Read and edit in memory every file the bumps touch; raise BumpError before anything is written."""
    check_environment(gitops_dir, env)
    edits: list[Edit] = []
    for bump in bumps:
        path = kustomization_path(gitops_dir, env, bump.service)
        where = _display(path)
        try:
            old = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BumpError(f"{where}: missing; environment {env!r} does not deploy {bump.service!r}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BumpError(f"{where}: cannot be read ({exc.__class__.__name__})") from None
        new = set_image_ref(old, bump.service, bump.ref, where)
        before = image_ref(old, bump.service, where) or "(no tag)"
        edits.append(Edit(bump.service, path, old, new, before, bump.ref))
    return edits


def write_all(edits: Sequence[Edit]) -> None:
    """Write every changed file, or none: all temporary files first, then one rename each."""
    pending: list[tuple[str, Path]] = []
    try:
        for edit in edits:
            if not edit.changed:
                continue
            fd, tmp = tempfile.mkstemp(prefix=f".{edit.path.name}.", suffix=".tmp", dir=edit.path.parent)
            pending.append((tmp, edit.path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(edit.new)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, edit.path.stat().st_mode & 0o7777)
    except OSError as exc:
        for tmp, _ in pending:
            Path(tmp).unlink(missing_ok=True)
        raise BumpError(f"cannot write the new files ({exc.strerror or exc}); nothing was changed") from None
    for tmp, path in pending:
        os.replace(tmp, path)


# --- command line ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bump_image_tag.py",
        description="Set the image tag (or sha256 digest) an environment deploys for each given service.",
    )
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"environment under gitops/envs/ (default {DEFAULT_ENV})")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a change is pending")
    parser.add_argument(
        "--gitops-dir", type=Path, default=GITOPS, help="the gitops/ folder (default: this repository's)"
    )
    parser.add_argument("bumps", nargs="*", metavar="SERVICE=TAG", help="SERVICE is a folder of gitops/envs/ENV/")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    parser.error = _fail  # type: ignore[method-assign]  # one line, exit 2 (argparse would print usage)
    args = parser.parse_args(argv)
    try:
        edits = plan(args.gitops_dir, args.env, parse_bumps(args.bumps, service_names(args.gitops_dir)))
        if not args.check:
            write_all(edits)
    except BumpError as exc:
        _fail(str(exc))
    for edit in edits:
        where = _display(edit.path)
        if not edit.changed:
            print(f"{edit.service}: already {edit.after} in {where}")
        elif args.check:
            print(f"{edit.service}: would change {edit.before} -> {edit.after} in {where}")
        else:
            print(f"{edit.service}: {edit.before} -> {edit.after} in {where}")
    return 1 if args.check and any(e.changed for e in edits) else 0


def _fail(message: str) -> NoReturn:
    print(f"bump_image_tag: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    sys.exit(main())
