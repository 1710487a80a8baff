"""Print, as a JSON list, the services whose image a push between two commits changes.

    python scripts/changed_services.py BASE HEAD     # e.g. ["routes", "users"]

`apps/<svc>/` changes that service; `apps/core/` (the shared package every image contains) and
`apps/.dockerignore` change all four. When BASE is not usable (empty, or no commit here: a deployed tag
such as 0.1.0, a digest) every service is listed: building too much is safe, building too little is not.
The deliver workflow asks it once per service, with BASE = the commit that service deploys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

SERVICES = ("users", "routes", "posts", "offers")
SHARED = ("apps/core/", "apps/.dockerignore")


def services_for_paths(paths: Iterable[str]) -> list[str]:
    """The services (in the order of SERVICES) whose image depends on any of `paths`."""
    changed: set[str] = set()
    for path in paths:
        if path.startswith(SHARED):
            return list(SERVICES)
        parts = path.split("/")
        if len(parts) > 2 and parts[0] == "apps" and parts[1] in SERVICES:
            changed.add(parts[1])
    return [s for s in SERVICES if s in changed]


def changed_paths(base: str, head: str, repo: Path) -> list[str] | None:
    """Files that differ between `base` and `head`; None if `base` is missing or unknown."""
    if not base.strip("0"):
        return None
    known = subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], cwd=repo, capture_output=True, check=False)
    if known.returncode != 0:
        return None
    diff = subprocess.run(
        ["git", "diff", "--name-only", "--no-renames", base, head],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return diff.stdout.splitlines()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: changed_services.py BASE HEAD  (an empty BASE means every service)", file=sys.stderr)
        return 2
    paths = changed_paths(args[0], args[1], Path.cwd())
    print(json.dumps(list(SERVICES) if paths is None else services_for_paths(paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
