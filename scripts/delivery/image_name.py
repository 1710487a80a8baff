"""Print the image an environment deploys for a service, as its kustomization says.

    python -m scripts.delivery.image_name [--env ENV] SERVICE          # ghcr.io/gitops-marketplace/users
    python -m scripts.delivery.image_name [--env ENV] --tag SERVICE    # the deployed tag, or digest if pinned

The deliver and promote workflows push and check images under this name, so it lives in one place: gitops/.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .bump import DEFAULT_ENV, check_environment
from .kustomization import BumpError, read_image
from .layout import GITOPS, kustomization_path


def image_entry(gitops_dir: Path, env: str, service: str) -> dict[str, str]:
    """The service's `images:` entry in `env`; a service is known there by its folder, so no list is asked."""
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
    parser = argparse.ArgumentParser(prog="image_name", description="Print the image repository of SERVICE in ENV.")
    parser.add_argument("--env", default=DEFAULT_ENV)
    parser.add_argument("--gitops-dir", type=Path, default=GITOPS, help=argparse.SUPPRESS)
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
