"""The fixture gitops/ tree that the delivery tests bump, build and push (it lives in tests/scripts/fixtures/,
beside the golden files it is compared with), and a snapshot to show that a run left a tree untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

from registry import ROOT

FIXTURES = ROOT / "tests" / "scripts" / "fixtures"


def copy_fixture_gitops(into: Path) -> Path:
    """A private copy of the fixture gitops/ tree; returns its path."""
    target = into / "gitops"
    shutil.copytree(FIXTURES / "gitops", target)
    return target


def snapshot(tree: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `tree` with its bytes and modification time: equal snapshots = nothing touched."""
    return {
        path.relative_to(tree).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(tree.rglob("*"))
        if path.is_file()
    }
