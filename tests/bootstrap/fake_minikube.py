"""A stand-in minikube for the tests of bootstrap/ and scripts/: it refuses what the real one refuses.

Installed with `install(bin_dir, log, ...)` as `bin_dir/minikube`, it appends `minikube <args>` (and, with
`log_cwd`, its working directory first) to `log`, and keeps its state (running, the image store) in a JSON
file beside it, so that a build is visible to the next `image ls`.

What it refuses, as kubernetes/minikube v1.38.1 does:
- no `-p`/`--profile`: the call would act on the default profile `minikube`, which these tests never have.
  For `image ...` cmd/minikube/cmd/image.go exits with reason.Usage (exit 14) on config.LoadProfile's error;
  otherwise pkg/minikube/mustload/mustload.go prints `Profile "minikube" not found` and exits 85
  (reason.ExGuestNotFound). The real `start` would create that profile instead: refusing it is the point.
- an unknown subcommand or flag: cobra's message, then exit 14 (cmd/minikube/cmd/root.go: ExProgramUsage).
- `image build` without a PATH (reason.Usage) or with a Dockerfile that is not in it (a relative `-f` is
  joined to PATH: pkg/minikube/machine/build_images.go).
The flags it knows are those of cmd/minikube/cmd/{status,start,delete,image,version}.go that the project uses.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PROGRAM = r'''#!{python}
import json, os, sys
from pathlib import Path

STATE = Path({state!r})
FLAGS = {{  # subcommand -> its flags (the value-taking ones end with "=")
    "status": ("--output=", "-o=", "--format=", "-f="),
    "start": ("--driver=", "--kubernetes-version=", "--cni=", "--addons=", "--cpus=", "--memory="),
    "delete": (),
    "version": ("--short", "--output=", "-o="),
    "image ls": ("--format=",),
    "image build": ("--tag=", "-t=", "--file=", "-f="),
}}


def fail(message, code):
    print(message, file=sys.stdout if code == 85 else sys.stderr)
    sys.exit(code)


TAKES_VALUE = {{flag[:-1] for flags in FLAGS.values() for flag in flags if flag.endswith("=")}} | {{"-p", "--profile"}}


def parse(args):
    """(profile, words, flags) the way cobra reads them: a value-taking flag takes `=value` or the next word."""
    profile, words, flags = None, [], {{}}
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if not name.startswith("-"):
            words.append(args[i])
        else:
            if name in TAKES_VALUE and not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            if name in ("-p", "--profile"):
                profile = value
            else:
                flags[name] = value if name in TAKES_VALUE else True
        i += 1
    return profile, words, flags


state = json.loads(STATE.read_text())
args = sys.argv[1:]
with open(state["log"], "a") as log:
    log.write(("%s " % os.getcwd() if state["log_cwd"] else "") + "minikube " + " ".join(args) + "\n")
profile, words, values = parse(args)
command = " ".join(words[:2]) if words[:1] == ["image"] else " ".join(words[:1])
if command not in FLAGS:
    fail('Error: unknown command "%s" for "minikube"\nRun \'minikube --help\' for usage.' % " ".join(words), 14)
known = {{flag.rstrip("=") for flag in FLAGS[command]}}
for name in values:
    if name not in known:
        fail("Error: unknown flag: %s" % name, 14)
if profile is None:
    if command.startswith("image"):
        fail('X Exiting due to MK_USAGE: loading profile: cluster "minikube" does not exist', 14)
    fail('Profile "minikube" not found. Run "minikube profile list" to view all profiles.\n'
         'To start a cluster, run: "minikube start"', 85)
if profile != state["profile"]:
    fail('Profile "%s" not found. Run "minikube profile list" to view all profiles.' % profile, 85)
if command == "version":
    print(state["version"])
elif command == "status":
    host = "Running" if state["running"] else "Stopped"
    if values.get("--output") == "json" or values.get("-o") == "json":
        print(json.dumps({{"Name": profile, "Host": host, "Kubelet": host, "APIServer": host}}))
    else:
        print(host)
    sys.exit(0 if state["running"] else 7)
elif command == "start":
    state["running"] = True
elif command == "image ls":
    if values.get("--format") == "json":
        print(json.dumps([{{"id": "sha256:0", "repoDigests": [], "repoTags": [tag], "size": "1"}}
                          for tag in state["images"]]))
    else:
        print("\n".join(state["images"]))
elif command == "image build":
    paths = words[2:]
    if not paths:
        fail("X Exiting due to MK_USAGE: Please provide a path or url to build", 14)
    dockerfile = Path(paths[0], values.get("-f") or values.get("--file") or "Dockerfile")
    if not dockerfile.is_file():
        fail("X Exiting due to GUEST_IMAGE_BUILD: no Dockerfile at %s" % dockerfile, 80)
    tag = values.get("-t") or values.get("--tag")
    if state["fail_build"] and state["fail_build"] in str(dockerfile):
        print("ERROR: failed to build %s" % tag, file=sys.stderr)
        if state["fail_exits"]:
            sys.exit(80)
        sys.exit(0)  # as minikube v1.38.1 does: a failed build on the node is only logged
    state["images"].append(tag)
STATE.write_text(json.dumps(state))
'''


def install(
    bin_dir: Path,
    log: Path,
    *,
    running: bool = False,
    images: tuple[str, ...] = (),
    version: str = "v1.38.1",
    fail_build: str | None = None,
    fail_exits: bool = False,
    log_cwd: bool = False,
    profile: str = "marketplace",
) -> Path:
    """Writes `bin_dir/minikube` and its state; returns the state file (tests may read the image store)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    state = bin_dir / "minikube.state.json"
    state.write_text(
        json.dumps(
            {
                "log": str(log),
                "log_cwd": log_cwd,
                "profile": profile,
                "running": running,
                "images": list(images),
                "version": version,
                "fail_build": fail_build,
                "fail_exits": fail_exits,
            }
        )
    )
    program = bin_dir / "minikube"
    program.write_text(PROGRAM.format(python=sys.executable, state=str(state)))
    program.chmod(0o755)
    return state


def image_store(state: Path) -> list[str]:
    return json.loads(state.read_text())["images"]
