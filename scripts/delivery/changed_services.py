"""Print, as a JSON list, the services whose image a push between two commits changes.

    python -m scripts.delivery.changed_services BASE HEAD     # e.g. ["routes", "users"]

The services are those with an image at HEAD: the folders apps/<svc>/ holding a Dockerfile in that commit
(the one the deliver workflow builds from), by name. `apps/<svc>/` changes that service; `apps/core/` (the
shared package every image contains) and `apps/.dockerignore` change them all. When BASE is not usable (empty,
or no commit here: a deployed tag such as 0.1.0, a digest) every service is listed: building too much is safe,
building too little is not. The deliver workflow asks it once per service, with BASE = the commit that service
deploys. Exit status 2 (one line on stderr) when HEAD is not a commit here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

SHARED = ("apps/core/", "apps/.dockerignore")


class CommitError(Exception):
    """HEAD is not a commit of this repository."""


def services_for_paths(paths: Iterable[str], services: Sequence[str]) -> list[str]:
    """The `services` (in their order) whose image depends on any of `paths`."""
    changed: set[str] = set()
    for path in paths:
        if path.startswith(SHARED):
            return list(services)
        parts = path.split("/")
        if len(parts) > 2 and parts[0] == "apps":
            changed.add(parts[1])
    return [s for s in services if s in changed]


def _is_commit(ref: str, repo: Path) -> bool:
    known = subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], cwd=repo, capture_output=True, check=False)
    return known.returncode == 0


def services_at(head: str, repo: Path) -> list[str]:
    """The services that have a Dockerfile, apps/<svc>/Dockerfile, in commit `head`."""
    if not _is_commit(head, repo):
        raise CommitError(f"{head!r} is not a commit here (fetch it first, e.g. git fetch origin main)")
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", head, "--", "apps"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(
        path.split("/")[1]
        for path in listed.stdout.splitlines()
        if path.count("/") == 2 and path.endswith("/Dockerfile")
    )


def changed_paths(base: str, head: str, repo: Path) -> list[str] | None:
    """Files that differ between `base` and `head`; None if `base` is missing or unknown."""
    if not base.strip("0") or not _is_commit(base, repo):
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
        print("usage: changed_services BASE HEAD  (an empty BASE means every service)", file=sys.stderr)
        return 2
    base, head = args
    try:
        services = services_at(head, Path.cwd())
    except CommitError as error:
        print(f"changed_services: {error}", file=sys.stderr)
        return 2
    paths = changed_paths(base, head, Path.cwd())
    print(json.dumps(services if paths is None else services_for_paths(paths, services)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
