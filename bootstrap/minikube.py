"""Every minikube command line of the project (`make cluster`, `make images`), and how to read what it prints.

`minikube start -p X` does not make X the default profile: a call without `-p` acts on the profile
`minikube`, not on ours. So every command line is made here, with `-p PROFILE` right after the program
(`--profile`/`-p` is a persistent flag of minikube's root command: it may precede the subcommand).

Checked against kubernetes/minikube at tag v1.38.1:
- cmd/minikube/cmd/root.go: `-p`/`--profile`, default "minikube";
- cmd/minikube/cmd/image.go: `image build -t/--tag -f/--file PATH`, `image ls --format=short|table|json|yaml`;
- pkg/minikube/machine/build_images.go: a relative `-f` is joined to the build context (PATH), and a build
  that fails on the node is only logged: `minikube image build` exits 0 all the same;
- pkg/minikube/machine/cache_images.go ListImages: `--format=json` prints a list of {id, repoDigests,
  repoTags, size};
- cmd/minikube/cmd/version.go: `version --short` prints the bare version, e.g. `v1.38.1`.
"""

from __future__ import annotations

import json
import re

from bootstrap.config import BUILD_CONTEXT, PROFILE

Version = tuple[int, int, int]
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


def argv(minikube: str, *args: str) -> tuple[str, ...]:
    """`minikube -p PROFILE args...`: the only way this project spells a minikube call."""
    return (minikube, "-p", PROFILE, *args)


def image_build(minikube: str, image: str, service: str) -> tuple[str, ...]:
    """Builds apps/<service>/Dockerfile with the context apps/ (run from the repository root) as `image`."""
    return argv(minikube, "image", "build", "-t", image, "-f", f"{service}/Dockerfile", BUILD_CONTEXT)


def image_list(minikube: str) -> tuple[str, ...]:
    return argv(minikube, "image", "ls", "--format=json")


def version_short(minikube: str) -> tuple[str, ...]:
    return argv(minikube, "version", "--short")


def parse_image_list(text: str) -> set[str]:
    """The `name:tag` of every image that `image ls --format=json` lists (empty if it printed no list)."""
    try:
        listed = json.loads(text)
    except ValueError:
        return set()
    if not isinstance(listed, list):
        return set()
    return {tag for item in listed if isinstance(item, dict) for tag in item.get("repoTags") or []}


def parse_version(text: str) -> Version | None:
    """(major, minor, patch) of what `version --short` printed, or None if it is not a version."""
    match = _VERSION.search(text or "")
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def shown_version(version: Version) -> str:
    return "v" + ".".join(map(str, version))
