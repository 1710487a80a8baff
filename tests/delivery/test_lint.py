"""actionlint over .github/workflows and hadolint over every Dockerfile, and proof that each can fail.

Both linters are the pinned wheels of requirements-dev.txt, found next to this Python. actionlint runs
shellcheck and pyflakes on `run:` scripts only if they are installed in the same virtualenv: the verdict
is then the same on every machine, whatever else it has installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry import NAMES, ROOT
from tests.delivery.dockerfile import dockerfile

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    extras = [f"-{tool}={BIN / tool if (BIN / tool).is_file() else ''}" for tool in ("shellcheck", "pyflakes")]
    return subprocess.run(
        [str(BIN / "actionlint"), "-no-color", "-oneline", *extras, *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def hadolint(file: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # A config file in $HOME or $XDG_CONFIG_HOME would change the rules: point both at an empty folder.
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home)}
    return subprocess.run(
        [str(BIN / "hadolint"), "--no-color", "--failure-threshold", "style", str(file)],
        cwd=file.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_workflows_exist() -> None:  # and so actionlint below covers e2e.yml too
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "deliver.yml", "promote.yml", "e2e.yml"}


def test_workflows_pass_actionlint() -> None:
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-24.04\n"
        "    needs: missing-job\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.head_commit.nope.nope }}\n"
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          no-such-input: true\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert "missing-job" in result.stdout
    assert "no-such-input" in result.stdout


@pytest.mark.parametrize("service", NAMES)
def test_dockerfile_passes_hadolint(service: str, tmp_path: Path) -> None:
    result = hadolint(dockerfile(service), tmp_path)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_hadolint_fails_on_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install flask\nCMD python app.py\n")
    result = hadolint(bad, tmp_path)
    assert result.returncode == 1
    for rule in ("DL3007", "DL3013", "DL3042", "DL3025"):
        assert rule in result.stdout


@pytest.mark.parametrize("service", NAMES)
def test_every_ignored_hadolint_rule_says_why(service: str) -> None:
    lines = dockerfile(service).read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore=" in line:
            reason = line.split("hadolint ignore=", 1)[1].split(maxsplit=1)[1:]
            previous = lines[number - 1].strip() if number else ""
            assert reason or (previous.startswith("#") and "hadolint" not in previous), (
                f"{service}/Dockerfile:{number + 1} ignores a rule without saying why"
            )
