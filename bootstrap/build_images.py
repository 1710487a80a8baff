"""`make images`: build the service images inside Minikube and point the minikube environment at them.

    python -m bootstrap.build_images [--dry-run] [--tag TAG] [SERVICE ...]

For offline development: no registry is involved. Each image is built by `minikube -p marketplace image build`
straight into the cluster's own image store, named as gitops/envs/minikube/<svc>/kustomization.yaml names it
(`newName`) and tagged with the current commit (`<short sha>`, or `<short sha>-dirty-<UTC time>` when
apps/ has uncommitted changes, so that every build of a work in progress gets a tag of its own and rolls
out). Then the minikube environment is bumped to those tags by scripts/delivery/bump.py.
Argo CD deploys what the repository says: commit and push the bump, then `make sync`.

`--dry-run` prints what would be run and what would change; it runs no program (not even minikube) and
works without Minikube.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import registry
from bootstrap import minikube as cli
from bootstrap.config import GITOPS_DIR, IMAGES_ENV, PROFILE, REPO_ROOT
from scripts.delivery.bump import Bump, plan, validate_ref, write_all
from scripts.delivery.kustomization import BumpError, read_image
from scripts.delivery.layout import kustomization_path

ENV = IMAGES_ENV  # the environment whose images are built and bumped


class BuildError(Exception):
    """A prerequisite is missing or a step failed; the message is one sentence."""


@dataclass(frozen=True)
class Build:
    service: str
    image: str  # name:tag

    def command(self) -> list[str]:
        return list(cli.image_build("minikube", self.image, self.service))


def commit_tag(repo: Path, now: datetime | None = None) -> str:
    """The current commit's short SHA, plus `-dirty-<UTC time>` if apps/ has uncommitted changes."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True)
    if head.returncode != 0:
        raise BuildError("This is not a git checkout with a commit: give the tag with --tag.")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "apps"], cwd=repo, capture_output=True, text=True, check=True
    )
    tag = head.stdout.strip()
    if status.stdout.strip():
        tag += "-dirty-" + (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    return tag


def planned_builds(gitops_dir: Path, services: Sequence[str], tag: str) -> list[Build]:
    builds = []
    for service in services:
        path = kustomization_path(gitops_dir, ENV, service)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            raise BuildError(f"{path} is missing: the {ENV} environment does not deploy {service}.") from None
        name = read_image(text, service, str(path)).get("newName", service)
        builds.append(Build(service, f"{name}:{tag}"))
    return builds


def missing_prerequisite(dry_run: bool) -> str | None:
    """One sentence about what stops a real build, or None. The dry run only looks minikube up."""
    if shutil.which("minikube") is None:
        return "minikube is not installed: see https://minikube.sigs.k8s.io/docs/start/ (or run `make cluster`)."
    if dry_run:
        return None
    status = subprocess.run(cli.argv("minikube", "status", "--format", "{{.Host}}"), capture_output=True, text=True)
    if status.stdout.strip() != "Running":
        return f"The Minikube profile {PROFILE} is not running: start it with `make cluster`."
    return None


def not_in_store(builds: Sequence[Build]) -> list[str]:
    """The built images that `minikube image ls` does not list: its image build exits 0 even when it fails."""
    listed = subprocess.run(cli.image_list("minikube"), capture_output=True, text=True)
    present = cli.parse_image_list(listed.stdout)
    return [build.image for build in builds if build.image not in present]


def _bump_command(gitops_dir: Path, tag: str, services: Sequence[str]) -> str:
    words = ["python", "scripts/bump_image_tag.py", "--env", ENV]
    if gitops_dir.resolve() != GITOPS_DIR:
        words += ["--gitops-dir", str(gitops_dir)]
    return shlex.join(words + [f"{s}={tag}" for s in services])


def run(services: Sequence[str], tag: str, gitops_dir: Path, dry_run: bool) -> int:
    builds = planned_builds(gitops_dir, services, tag)
    bumps = [Bump(b.service, tag) for b in builds]
    edits = plan(gitops_dir, ENV, bumps)  # validates everything before anything is built
    problem = missing_prerequisite(dry_run)
    if dry_run:
        if problem:
            print(f"note: {problem}")
        print("would run:")
        for build in builds:
            print(f"  {shlex.join(build.command())}")
        print(f"  {shlex.join(cli.image_list('minikube'))}   # lists every image built, or nothing is bumped")
        print(f"then: {_bump_command(gitops_dir, tag, services)}")
        for edit in edits:
            change = f"{edit.before} -> {edit.after}" if edit.changed else f"already {edit.after}"
            print(f"  {edit.service}: {change}")
        return 0
    if problem:
        raise BuildError(problem)
    for build in builds:
        print(f"+ {shlex.join(build.command())}", flush=True)
        if subprocess.run(build.command(), cwd=REPO_ROOT).returncode != 0:  # the context apps/ is relative to it
            raise BuildError(f"Building the {build.service} image failed (see above); nothing was bumped.")
    absent = not_in_store(builds)
    if absent:
        raise BuildError(
            f"The profile's image store lacks {', '.join(absent)} after the build: it failed (see"
            " above); nothing was bumped."
        )
    write_all(edits)
    for edit in edits:
        print(f"{edit.service}: {edit.before} -> {edit.after}" if edit.changed else f"{edit.service}: already {tag}")
    print(f"Commit and push gitops/envs/{ENV}/ for Argo CD to deploy these images, then run `make sync`.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the service images in Minikube and bump the minikube env.")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; build and change nothing")
    parser.add_argument("--tag", help="image tag (default: the current commit's short SHA)")
    parser.add_argument("--gitops-dir", type=Path, default=GITOPS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("services", nargs="*", metavar="SERVICE", help=f"default: all of {', '.join(registry.NAMES)}")
    args = parser.parse_args(argv)
    try:
        unknown = [s for s in args.services if s not in registry.NAMES]
        if unknown:
            raise BumpError(f"unknown service {unknown[0]!r}: expected one of {', '.join(registry.NAMES)}")
        if args.tag and args.tag.startswith("sha256:"):
            raise BumpError("--tag takes an image tag; a digest is what the build produces, not an input")
        tag = validate_ref(args.tag) if args.tag else commit_tag(REPO_ROOT)
        return run(args.services or registry.NAMES, tag, args.gitops_dir, args.dry_run)
    except (BuildError, BumpError) as error:
        print(f"build_images: {error}", file=sys.stderr)
        return 1 if isinstance(error, BuildError) else 2


if __name__ == "__main__":
    sys.exit(main())
