"""Running the delivery scripts as the workflows do: a script by its file, or a module of scripts.delivery."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from registry import ROOT

SCRIPTS = ROOT / "scripts"


def run_script(
    name: str, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_module(
    module: str, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m scripts.delivery.<module>` as the workflows run it, from any folder (the root on PYTHONPATH)."""
    return subprocess.run(
        [sys.executable, "-m", f"scripts.delivery.{module}", *args],
        cwd=cwd or ROOT,
        env={**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
