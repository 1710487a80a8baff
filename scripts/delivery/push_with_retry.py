"""Commit the given paths and push, rebasing and retrying when another job pushed first.

    python -m scripts.delivery.push_with_retry --message MSG [--remote origin] [--branch main]
                                               [--attempts 5] [--delay 2] PATH [PATH ...]

CI jobs that bump image tags run at the same time (one per service). The second push is rejected as
non-fast-forward; this script then runs `git pull --rebase` and pushes again, with exponential backoff
and a bounded number of attempts. Each service has its own kustomization file, so these rebases never
conflict; two writers changing the same line do conflict, and then the script aborts the rebase and
fails instead of overwriting the other change.

Exit status: 0 pushed (or nothing to commit), 1 gave up or hit a conflict, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# What git prints when the remote moved on under us; anything else (authentication, a missing remote,
# a hook that refuses the change) is not cured by retrying.
_RACE_MARKERS = ("[rejected]", "fetch first", "non-fast-forward", "cannot lock ref", "failed to update ref")


class PushError(Exception):
    """The push could not be completed; the message says why."""


@dataclass(frozen=True)
class Git:
    """Runs git in one working tree."""

    cwd: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["git", *args], cwd=self.cwd, text=True, capture_output=True)
        if check and result.returncode != 0:
            raise PushError(f"git {' '.join(args)} failed: {_last_line(result)}")
        return result


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit status {result.returncode}"


def is_race(stderr: str) -> bool:
    """True if a failed push was rejected because the remote branch moved."""
    return any(marker in stderr for marker in _RACE_MARKERS)


def backoff(attempt: int, delay: float, jitter: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): delay * 2^(n-1), plus up to 50%."""
    base = delay * 2 ** (attempt - 1)
    return base + base * 0.5 * jitter()


def commit(git: Git, paths: Sequence[str], message: str) -> bool:
    """Commit the changes under `paths` (only those); False when there is nothing to commit."""
    git.run("add", "--", *paths)
    if git.run("diff", "--cached", "--quiet", "--", *paths, check=False).returncode == 0:
        return False
    git.run("commit", "--quiet", "--message", message, "--", *paths)
    return True


def push_with_retry(
    git: Git,
    remote: str,
    branch: str,
    attempts: int,
    delay: float,
    log: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Push HEAD to `remote`/`branch`; on a rejected push rebase onto it and retry. Returns the attempt."""
    for attempt in range(1, attempts + 1):
        result = git.run("push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", check=False)
        if result.returncode == 0:
            log(f"pushed to {remote}/{branch} (attempt {attempt} of {attempts})")
            return attempt
        output = result.stderr + result.stdout
        if not is_race(output):
            raise PushError(f"push to {remote}/{branch} failed: {_last_line(result)}")
        if attempt == attempts:
            break
        wait = backoff(attempt, delay)
        log(
            f"push rejected: {remote}/{branch} moved on; rebasing and retrying in {wait:.1f}s "
            f"(attempt {attempt} of {attempts})"
        )
        sleep(wait)
        rebase = git.run("pull", "--rebase", "--quiet", remote, branch, check=False)
        if rebase.returncode != 0:
            git.run("rebase", "--abort", check=False)
            raise PushError(
                f"rebase onto {remote}/{branch} failed, someone changed the same lines: {_last_line(rebase)}"
            )
    raise PushError(f"gave up after {attempts} rejected pushes to {remote}/{branch}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Commit PATHs and push, rebasing and retrying on rejection.")
    parser.add_argument("--message", "-m", required=True, help="the commit message")
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--branch", default="main", help="the remote branch to push to (default main)")
    parser.add_argument("--attempts", type=int, default=5, help="pushes to try before giving up (default 5)")
    parser.add_argument("--delay", type=float, default=2.0, help="first backoff in seconds (default 2)")
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="the working tree (default: here)")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="what to commit, e.g. gitops/envs")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.attempts < 1 or args.delay < 0:
        print("push_with_retry: --attempts must be at least 1 and --delay not negative", file=sys.stderr)
        return 2
    git = Git(args.repo)
    try:
        if not commit(git, args.paths, args.message):
            print("nothing to commit: the files are already as requested")
            return 0
        push_with_retry(git, args.remote, args.branch, args.attempts, args.delay)
    except PushError as exc:
        print(f"push_with_retry: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
