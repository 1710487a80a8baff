"""`make help` lists every target of the Makefile with one line, the targets of operations.md among them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from registry import ROOT
from tests.support.shared import shared_dir

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def phony_targets(makefile: Path) -> list[str]:
    declared = re.search(r"^\.PHONY:(.*)$", makefile.read_text(encoding="utf-8"), re.M)
    assert declared, f"{makefile} declares no .PHONY targets"
    return declared.group(1).split()


def helped(makefile: Path) -> dict[str, str]:
    """What `make help` prints for that Makefile: target -> its line."""
    done = subprocess.run([MAKE, "-s", "-f", str(makefile), "help"], capture_output=True, text=True, check=True)
    return dict(line.split(None, 1) for line in done.stdout.splitlines())


def undocumented(makefile: Path) -> list[str]:
    listed = helped(makefile)
    return [target for target in phony_targets(makefile) if not listed.get(target, "").strip()]


def test_every_target_is_listed_with_a_line() -> None:
    assert undocumented(ROOT / "Makefile") == []


def test_the_targets_of_operations_md_are_all_listed() -> None:
    table = (shared_dir() / "contract" / "operations.md").read_text(encoding="utf-8")
    targets = {
        name
        for cell in re.findall(r"^\| (`make [^|]+`) \|", table, re.M)
        for name in re.findall(r"`make ([a-z-]+)`", cell)
    }
    assert {"run", "test", "up", "down", "render", "cluster", "bench"} <= targets
    assert sorted(targets - set(helped(ROOT / "Makefile"))) == []


def test_a_target_without_its_line_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "Makefile"
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    broken.write_text(re.sub(r"^(sync: venv)  ## .*$", r"\1", text, flags=re.M), encoding="utf-8")
    assert undocumented(broken) == ["sync"]
