"""Where the read-only `shared/` folder (the contract documents and the Argo CD schemas) is."""

from __future__ import annotations

import subprocess
from pathlib import Path

from registry import ROOT


def shared_dir(root: Path = ROOT) -> Path:
    """The read-only `shared/` folder beside the repository (CI has it at the same place), or, for a
    clone made elsewhere from such a checkout, beside the repository it was cloned from."""
    candidates = [root.parent / "shared"]
    origin = subprocess.run(
        ["git", "-C", str(root), "remote", "get-url", "origin"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared")
    for candidate in candidates:
        if (candidate / "schemas").is_dir():
            return candidate
    raise FileNotFoundError(f"The shared schemas are missing: expected {candidates[0] / 'schemas'}.")
