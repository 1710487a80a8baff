"""Promote: open a pull request that moves the image one environment runs to the next one; merging it deploys.

    python -m scripts.delivery.promote --from minikube --to production --repo OWNER/NAME SERVICE [SERVICE ...]

For each service: the reference `--from` deploys (image_name.deployed_ref); a tag is resolved to its digest with
`docker buildx imagetools inspect NAME:TAG --format '{{json .Manifest}}'` (the runner's buildx, set up by
docker/setup-buildx-action as in deliver.yml). The digest is written into `--to` with the bump (bump.py), the
rendered diff of `<to>.yaml` against the base branch (render_diff.py) goes into the body, and the commit is
pushed to a branch `promote/<to>/<svc>-<12 hex of the digest>` (services joined by `+`), from which
`gh pr create` opens the pull request. Nothing is pushed to the base branch.

Exit status: 0 a pull request opened (or nothing to promote), 1 a step failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .bump import Bump, plan, validate_ref, write_all
from .image_name import deployed_ref, image_name
from .kustomization import BumpError
from .render import RenderError, render_env
from .render_diff import BaseError, diff_files, extract_gitops

NEVER_PROMOTED = "sha256:" + "0" * 64  # production's placeholder (gitops/envs/production/<svc>/)
BODY_LIMIT = 60_000  # GitHub refuses a pull request body over 65,536 characters

Inspect = Callable[[str], str]  # image reference -> `imagetools inspect --format '{{json .Manifest}}'` output


class PromoteError(Exception):
    """Anything that stops a promotion; its message is the one line printed on stderr."""


def run(command: Sequence[str], cwd: Path | None = None) -> str:
    result = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise PromoteError(f"{' '.join(command[:3])} failed: {lines[-1] if lines else result.returncode}")
    return result.stdout


def buildx_inspect(reference: str) -> str:
    return run(["docker", "buildx", "imagetools", "inspect", reference, "--format", "{{json .Manifest}}"])


def digest_of(reference: str, inspect: Inspect = buildx_inspect) -> str:
    """The digest of the manifest (or index) the registry serves for `reference`."""
    try:
        digest = json.loads(inspect(reference))["digest"]
        return validate_ref(digest)
    except (json.JSONDecodeError, KeyError, TypeError, BumpError):
        raise PromoteError(f"the registry's answer for {reference} holds no sha256 digest") from None


def source_digest(gitops: Path, env: str, service: str, inspect: Inspect = buildx_inspect) -> str:
    """The digest that `env` runs for `service`: its pinned digest, or its tag resolved in the registry."""
    ref = deployed_ref(gitops, env, service)
    if ref == NEVER_PROMOTED:
        raise PromoteError(f"{env} has never been promoted for {service}: there is no image to move on")
    return ref if ref.startswith("sha256:") else digest_of(f"{image_name(gitops, env, service)}:{ref}", inspect)


def branch_name(to_env: str, digests: dict[str, str]) -> str:
    return f"promote/{to_env}/" + "+".join(
        f"{svc}-{digest.removeprefix('sha256:')[:12]}" for svc, digest in digests.items()
    )


def env_diff(repo: Path, base: str, to_env: str) -> str:
    """The rendered diff of the target environment's file only, base branch against the working tree."""
    name = f"{to_env}.yaml"
    with tempfile.TemporaryDirectory(prefix="promote-") as scratch:
        base_gitops = extract_gitops(repo, base, Path(scratch))
        base_env = base_gitops / "envs" / to_env if base_gitops else None
        before = render_env(base_env) if base_env and base_env.is_dir() else ""
    after = render_env(repo / "gitops" / "envs" / to_env)
    return diff_files({name: before}, {name: after}, base, "promotion")


def body(from_env: str, to_env: str, digests: dict[str, str], diff: str) -> str:
    lines = [f"Promotes from `{from_env}` to `{to_env}`; merging this pull request deploys it.", ""]
    lines += [f"- `{svc}`: `{digest}`" for svc, digest in digests.items()]
    if len(diff) > BODY_LIMIT:
        diff = diff[:BODY_LIMIT] + "\n... (cut here: run `make diff BASE=origin/main` for the rest)\n"
    return "\n".join(
        [*lines, "", f"Rendered `{to_env}.yaml`, base against this branch:", "", "```diff", diff, "```", ""]
    )


def promote(
    repo: Path, from_env: str, to_env: str, services: Sequence[str], gh_repo: str, base: str = "main",
    inspect: Inspect = buildx_inspect,
) -> str:  # fmt: skip
    """Bump, commit, push the branch and open the pull request; returns the branch (empty: nothing to promote)."""
    gitops = repo / "gitops"
    digests = {svc: source_digest(gitops, from_env, svc, inspect) for svc in services}
    edits = plan(gitops, to_env, [Bump(svc, digest) for svc, digest in digests.items()])
    if not any(edit.changed for edit in edits):
        return ""
    write_all(edits)
    diff = env_diff(repo, f"origin/{base}", to_env)
    branch = branch_name(to_env, digests)
    title = f"promote {', '.join(digests)} to {to_env}"
    run(["git", "switch", "--quiet", "--create", branch], cwd=repo)
    run(["git", "commit", "--quiet", "--message", title, "--", *(str(edit.path) for edit in edits)], cwd=repo)
    run(["git", "push", "--quiet", "origin", f"HEAD:refs/heads/{branch}"], cwd=repo)
    with tempfile.NamedTemporaryFile("w", suffix=".md", encoding="utf-8", delete=False) as handle:
        handle.write(body(from_env, to_env, digests, diff))
    run(["gh", "pr", "create", "--repo", gh_repo, "--base", base, "--head", branch, "--title", title,
         "--body-file", handle.name], cwd=repo)  # fmt: skip
    return branch


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="promote", description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="from_env", required=True, help="the environment whose image moves on")
    parser.add_argument("--to", dest="to_env", required=True, help="the environment the pull request changes")
    parser.add_argument("--repo", required=True, help="OWNER/NAME of the GitHub repository (gh pr create --repo)")
    parser.add_argument("--base", default="main", help="the branch the pull request merges into (default main)")
    parser.add_argument("--worktree", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    parser.add_argument("services", nargs="+", metavar="SERVICE")
    args = parser.parse_args(argv)
    if args.from_env == args.to_env:
        print("promote: --from and --to are the same environment", file=sys.stderr)
        return 2
    try:
        branch = promote(args.worktree, args.from_env, args.to_env, args.services, args.repo, args.base)
    except BumpError as error:
        print(f"promote: {error}", file=sys.stderr)
        return 2
    except (PromoteError, RenderError, BaseError) as error:
        print(f"promote: {error}", file=sys.stderr)
        return 1
    print(f"opened a pull request from {branch}" if branch else f"{args.to_env} already runs these digests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
