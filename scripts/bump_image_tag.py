"""Set the image tag (or digest) that an environment deploys for one or more services.

    python scripts/bump_image_tag.py [--env ENV] [--check] SERVICE=TAG [SERVICE=TAG ...]

The tag lives only in the `images:` entry named after the service in
`gitops/envs/<env>/<svc>/kustomization.yaml`. The file is edited as a ruamel.yaml round trip: comments,
key order, quoting and indentation are kept, and a bump changes exactly one line per service.

An entry carries either `newTag` or `digest`, never both: setting a digest (`sha256:<64 hex>`) replaces
the `newTag` line with a `digest` line, and setting a tag replaces a `digest` line with `newTag`. A digest
left next to a new tag would keep deploying the old image (the digest wins when the image is pulled),
and a tag left next to a new digest would name an image that is not the one deployed.

Exit status: 0 done (or nothing to do), 1 `--check` found a pending change, 2 bad arguments or a file
that cannot be edited (one line on stderr, no file touched).
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

SERVICES = ("users", "routes", "posts", "offers")
DEFAULT_ENV = "minikube"
DEFAULT_GITOPS_DIR = Path(__file__).resolve().parent.parent / "gitops"

# The Docker reference grammar for a tag, and the only digest algorithm the registries we use serve.
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")

TAG_KEY = "newTag"
DIGEST_KEY = "digest"


class BumpError(Exception):
    """Anything that stops a bump; its message is the one line printed on stderr."""


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


def parse_bumps(args: Iterable[str]) -> list[Bump]:
    """Parse `SERVICE=TAG` arguments; every service at most once, all of them known."""
    bumps: list[Bump] = []
    seen: set[str] = set()
    for arg in args:
        service, sep, ref = arg.partition("=")
        if not sep or not service:
            raise BumpError(f"expected SERVICE=TAG, got {arg!r}")
        if service not in SERVICES:
            raise BumpError(f"unknown service {service!r}: expected one of {', '.join(SERVICES)}")
        if service in seen:
            raise BumpError(f"service {service!r} is given more than once")
        seen.add(service)
        bumps.append(Bump(service, validate_ref(ref)))
    if not bumps:
        raise BumpError("nothing to bump: give at least one SERVICE=TAG")
    return bumps


def environments(gitops_dir: Path) -> list[str]:
    envs_dir = gitops_dir / "envs"
    if not envs_dir.is_dir():
        return []
    return sorted(p.name for p in envs_dir.iterdir() if p.is_dir())


def kustomization_path(gitops_dir: Path, env: str, service: str) -> Path:
    return gitops_dir / "envs" / env / service / "kustomization.yaml"


def check_environment(gitops_dir: Path, env: str) -> None:
    known = environments(gitops_dir)
    if env not in known:
        listed = ", ".join(known) if known else f"none in {gitops_dir / 'envs'}"
        raise BumpError(f"unknown environment {env!r}: expected one of {listed}")


# --- YAML round trip ------------------------------------------------------------------------------

# Indentation styles to try, most common first: (mapping, sequence, offset of the dash).
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 3, 1))


def _yaml(mapping: int, sequence: int, offset: int, explicit_start: bool) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = explicit_start
    return yaml


def _dump(yaml: YAML, data: object) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _round_trip(text: str, where: str) -> tuple[YAML, CommentedMap]:
    """Load `text` with the indentation style that dumps it back byte for byte."""
    explicit_start = text.lstrip().startswith("---")
    for indent in _INDENTS:
        yaml = _yaml(*indent, explicit_start=explicit_start)
        try:
            data = yaml.load(text)
        except YAMLError as exc:
            first = str(exc).strip().splitlines()[0]
            raise BumpError(f"{where}: not valid YAML ({first})") from None
        if _dump(yaml, data) == text:
            if not isinstance(data, CommentedMap):
                raise BumpError(f"{where}: expected a kustomization (a YAML mapping)")
            return yaml, data
    raise BumpError(f"{where}: cannot be edited without reformatting it; keep one YAML style (2-space indent)")


def _image_entry(data: CommentedMap, service: str, where: str) -> CommentedMap:
    images = data.get("images")
    if not isinstance(images, CommentedSeq):
        raise BumpError(f"{where}: has no images: list")
    entries = [e for e in images if isinstance(e, CommentedMap) and e.get("name") == service]
    if len(entries) != 1:
        raise BumpError(f"{where}: expected one images entry named {service!r}, found {len(entries)}")
    return entries[0]


def _styled(value: str, like: object) -> str:
    """`value` in the quoting style of the scalar it replaces (double quotes for a new key)."""
    if isinstance(like, SingleQuotedScalarString):
        return SingleQuotedScalarString(value)
    if isinstance(like, DoubleQuotedScalarString) or like is None:
        return DoubleQuotedScalarString(value)
    return value  # plain; ruamel quotes it by itself if it would read back as a number or a bool


def _replace_key(entry: CommentedMap, old: str, new: str, value: object) -> None:
    """Put `new: value` where `old` was, carrying over `old`'s comment."""
    position = list(entry).index(old)
    comment = entry.ca.items.pop(old, None)
    del entry[old]
    entry.insert(position, new, value)
    if comment is not None:
        entry.ca.items[new] = comment


def image_ref(text: str, service: str, where: str = "kustomization") -> str | None:
    """The digest, else the tag, that `text` deploys for `service` (None if neither is set)."""
    entry = _image_entry(_round_trip(text, where)[1], service, where)
    ref = entry.get(DIGEST_KEY) or entry.get(TAG_KEY)
    return None if ref is None else str(ref)


def set_image_ref(text: str, service: str, ref: str, where: str = "kustomization") -> str:
    """Return `text` with the `images` entry of `service` pointing at `ref` (a tag or a digest).

    Pure: no I/O. Raises BumpError if the file is not a kustomization with exactly one entry for the
    service, or if the edit would change anything but that entry's tag/digest line.
    """
    key = DIGEST_KEY if ref.startswith("sha256:") else TAG_KEY
    other = TAG_KEY if key == DIGEST_KEY else DIGEST_KEY
    yaml, data = _round_trip(text, where)
    entry = _image_entry(data, service, where)
    if entry.get(key) == ref and other not in entry:
        return text
    if key in entry and other in entry:
        raise BumpError(f"{where}: the {service!r} entry has both newTag and digest; keep one of them")
    if key in entry:
        line = entry.lc.key(key)[0]
        entry[key] = _styled(ref, entry[key])
    elif other in entry:
        line = entry.lc.key(other)[0]
        _replace_key(entry, other, key, _styled(ref, entry[other]))
    else:
        position = list(entry).index("newName") + 1 if "newName" in entry else len(entry)
        entry.insert(position, key, _styled(ref, None))
        line = None
    new_text = _dump(yaml, data)
    comment = entry.ca.items.get(key, [None, None, None])[2]
    if line is not None and comment is not None:
        new_text = _keep_comment_gap(yaml, data, comment, text.splitlines()[line], new_text.splitlines()[line])
    _check_one_line(text, new_text, where)
    return new_text


_COMMENTED = re.compile(r"(?P<value>\s*[\w.-]+:\s+\S+)(?P<gap>\s+)#")


def _keep_comment_gap(yaml: YAML, data: CommentedMap, comment: CommentToken, old: str, new: str) -> str:
    """ruamel keeps an end-of-line comment at its column; keep its distance from the value instead."""
    before, after = _COMMENTED.match(old), _COMMENTED.match(new)
    if before and after and before["gap"] != after["gap"]:
        comment.column = len(after["value"]) + len(before["gap"])
    return _dump(yaml, data)


def _check_one_line(old: str, new: str, where: str) -> None:
    """A bump replaces or adds exactly one line; anything else means the round trip went wrong."""
    ops = [op for op in difflib.SequenceMatcher(None, old.splitlines(), new.splitlines()).get_opcodes()]
    changed = [(tag, i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal"]
    if changed not in ([("replace", 1, 1)], [("insert", 0, 1)]):
        raise BumpError(f"{where}: the edit would change more than one line; refusing to touch it")


def read_image(text: str, service: str, where: str = "kustomization") -> dict[str, str]:
    """The `images` entry of `service` as plain strings (name, newName, newTag or digest)."""
    _, data = _round_trip(text, where)
    return {str(k): str(v) for k, v in _image_entry(data, service, where).items()}


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
        description="Set the image tag (or sha256 digest) an environment deploys for each given service.",
    )
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"environment under gitops/envs/ (default {DEFAULT_ENV})")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a change is pending")
    parser.add_argument(
        "--gitops-dir", type=Path, default=DEFAULT_GITOPS_DIR, help="the gitops/ folder (default: this repository's)"
    )
    parser.add_argument("bumps", nargs="*", metavar="SERVICE=TAG", help=f"SERVICE is one of {', '.join(SERVICES)}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    parser.error = _fail  # type: ignore[method-assign]  # one line, exit 2 (argparse would print usage)
    args = parser.parse_args(argv)
    try:
        edits = plan(args.gitops_dir, args.env, parse_bumps(args.bumps))
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
