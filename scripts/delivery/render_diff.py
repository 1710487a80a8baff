"""Show how the rendered manifests of this working tree differ from those of another commit.

    python -m scripts.delivery.render_diff [BASE]        # make diff BASE=origin/main

Renders gitops/ of the working tree and gitops/ of BASE (default: origin/main, else main) with the same,
current renderer (render.py), so the diff shows what Argo CD would apply differently, not how the
renderer changed. Prints a unified diff per file of `make render` and exits 0 whether or not they differ;
exit 1 if a tree does not render, 2 if BASE is not a commit.
"""

from __future__ import annotations

import argparse
import difflib
import io
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .layout import ROOT
from .render import RenderError, render_all

NO_DIFFERENCE = "The rendered manifests are the same."

Renderer = Callable[[Path], dict[str, str]]


class BaseError(Exception):
    """BASE is not a commit of this repository."""


def default_base(repo: Path) -> str:
    for candidate in ("origin/main", "main"):
        found = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"],
            cwd=repo,
            capture_output=True,
            check=False,
        )
        if found.returncode == 0:
            return candidate
    raise BaseError("no origin/main or main branch here: give BASE, e.g. make diff BASE=HEAD~1")


def extract_gitops(repo: Path, base: str, into: Path) -> Path | None:
    """Write BASE's gitops/ under `into`; None when BASE has no gitops/ folder."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if commit.returncode != 0:
        raise BaseError(f"{base!r} is not a commit here (fetch it first, e.g. git fetch origin main)")
    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", commit.stdout.strip(), "gitops"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    if not listed.stdout.strip():
        return None
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit.stdout.strip(), "gitops"], cwd=repo, capture_output=True, check=True
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)
    return into / "gitops"


def diff_files(base: Mapping[str, str], head: Mapping[str, str], base_label: str, head_label: str) -> str:
    """Unified diffs of every file name present on either side, in name order."""
    chunks = []
    for name in sorted(set(base) | set(head)):
        chunks.extend(
            difflib.unified_diff(
                base.get(name, "").splitlines(keepends=True),
                head.get(name, "").splitlines(keepends=True),
                fromfile=f"a/{name} ({base_label})" if name in base else "/dev/null",
                tofile=f"b/{name} ({head_label})" if name in head else "/dev/null",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks)


def render_diff(repo: Path, base: str, render: Renderer = render_all) -> str:
    """The diff text (empty when nothing differs)."""
    with tempfile.TemporaryDirectory(prefix="render-diff-") as scratch:
        base_gitops = extract_gitops(repo, base, Path(scratch))
        try:
            before = render(base_gitops) if base_gitops is not None else {}
        except RenderError as error:
            raise RenderError(f"{base} does not render: {error}") from None
    try:
        after = render(repo / "gitops")
    except RenderError as error:
        raise RenderError(f"the working tree does not render: {error}") from None
    return diff_files(before, after, base, "working tree")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Diff the rendered manifests against BASE.")
    parser.add_argument("base", nargs="?", help="a commit, branch or tag (default origin/main, else main)")
    parser.add_argument("--repo", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        base = args.base or default_base(args.repo)
        text = render_diff(args.repo, base)
    except BaseError as error:
        print(f"render_diff: {error}", file=sys.stderr)
        return 2
    except RenderError as error:
        print(f"render_diff: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(text or f"{NO_DIFFERENCE} (working tree vs {base})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
