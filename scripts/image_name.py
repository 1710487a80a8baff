"""Print the image an environment deploys for a service, as its kustomization says.

    python scripts/image_name.py [--env ENV] SERVICE          # ghcr.io/gitops-marketplace/users (newName)
    python scripts/image_name.py [--env ENV] --tag SERVICE    # the deployed tag, or digest if pinned so

The deliver and promote workflows push and check images under this name, so it lives in one place: gitops/.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bump_image_tag import (
    DEFAULT_ENV,
    DEFAULT_GITOPS_DIR,
    SERVICES,
    BumpError,
    check_environment,
    kustomization_path,
    read_image,
)


def image_entry(gitops_dir: Path, env: str, service: str) -> dict[str, str]:
    if service not in SERVICES:
        raise BumpError(f"unknown service {service!r}: expected one of {', '.join(SERVICES)}")
    check_environment(gitops_dir, env)
    path = kustomization_path(gitops_dir, env, service)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise BumpError(f"{path}: missing; environment {env!r} does not deploy {service!r}") from None
    return read_image(text, service, str(path))


def image_name(gitops_dir: Path, env: str, service: str) -> str:
    entry = image_entry(gitops_dir, env, service)
    if "newName" not in entry:
        raise BumpError(f"{kustomization_path(gitops_dir, env, service)}: the {service!r} entry has no newName")
    return entry["newName"]


def deployed_ref(gitops_dir: Path, env: str, service: str) -> str:
    entry = image_entry(gitops_dir, env, service)
    return entry.get("digest") or entry.get("newTag") or "latest"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the image repository of SERVICE in ENV.")
    parser.add_argument("--env", default=DEFAULT_ENV)
    parser.add_argument("--gitops-dir", type=Path, default=DEFAULT_GITOPS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--tag", action="store_true", help="print the deployed tag (or digest) instead")
    parser.add_argument("service", metavar="SERVICE")
    args = parser.parse_args(argv)
    try:
        show = deployed_ref if args.tag else image_name
        print(show(args.gitops_dir, args.env, args.service))
    except BumpError as error:
        print(f"image_name: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
