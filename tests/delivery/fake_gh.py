"""A stand-in for `gh pr create` that refuses what the real one refuses, and records what it was asked.

The flags are those of cli/cli pkg/cmd/pr/create/create.go (commit 01f53b11df5891bcd9449a9c5dc56fa750efec33)
plus the `--repo/-R` every `gh pr` command inherits; like the real one run without a terminal, it requires
--title and --body or --body-file. Unlike the real one (which defaults them), it also requires --repo, --base and
--head: the promote job must never depend on the checkout's remotes or current branch.
Writes its arguments and the body to $FAKE_GH_RECORD as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

STRINGS = {"--title": "-t", "--body": "-b", "--body-file": "-F", "--base": "-B", "--head": "-H", "--repo": "-R",
           "--milestone": "-m", "--template": "-T", "--recover": None}  # fmt: skip
LISTS = {"--reviewer": "-r", "--assignee": "-a", "--label": "-l", "--project": "-p"}
SWITCHES = {"--draft": "-d", "--web": "-w", "--fill": "-f", "--fill-first": None, "--fill-verbose": None,
            "--no-maintainer-edit": None, "--dry-run": None}  # fmt: skip


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="gh pr create", allow_abbrev=False)
    for flags, options in ((STRINGS, {}), (LISTS, {"action": "append"}), (SWITCHES, {"action": "store_true"})):
        for long, short in flags.items():
            parse.add_argument(*filter(None, (long, short)), **options)
    return parse


def main(argv: list[str]) -> int:
    if argv[:2] != ["pr", "create"]:
        print(f"unknown command {' '.join(argv[:2])!r} for this stand-in", file=sys.stderr)
        return 1
    args = parser().parse_args(argv[2:])
    missing = [flag for flag in ("repo", "base", "head", "title") if not getattr(args, flag)]
    if missing or not (args.body or args.body_file):
        print(f"required: --{', --'.join(missing) or 'body or --body-file'}", file=sys.stderr)
        return 1
    body = Path(args.body_file).read_text(encoding="utf-8") if args.body_file else args.body
    Path(os.environ["FAKE_GH_RECORD"]).write_text(json.dumps({**vars(args), "body": body}), encoding="utf-8")
    print(f"https://github.com/{args.repo}/pull/1")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
