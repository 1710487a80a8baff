"""What the workflows promise, read from their YAML: triggers, pins, permissions, concurrency, no injection."""

from __future__ import annotations

import re

import pytest
import yaml

from scripts import bump_image_tag, changed_services
from tests.delivery.dockerfile import ROOT, SERVICES

WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$")


def load(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads a bare `on` as true
    return document


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def scripts_run(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


@pytest.mark.parametrize("name", ["ci.yml", "deliver.yml", "promote.yml"])
def test_actions_are_pinned_by_commit_with_the_release_in_a_comment(name: str) -> None:
    for line in (WORKFLOWS / name).read_text().splitlines():
        if re.match(r"^\s*(-\s+)?uses:", line):
            assert PINNED.match(line), f"{name}: {line.strip()}"


@pytest.mark.parametrize("name", ["ci.yml", "deliver.yml", "promote.yml"])
def test_the_token_is_read_only_unless_a_job_asks(name: str) -> None:
    assert load(name)["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("name", ["ci.yml", "deliver.yml", "promote.yml"])
def test_no_expression_is_pasted_into_a_shell_script(name: str) -> None:
    """`${{ … }}` inside `run:` is script injection waiting to happen: values go through `env:`."""
    for step in steps(load(name)):
        assert "${{" not in step.get("run", ""), f"{name}: {step.get('name', step['run'][:40])}"


def test_ci_runs_make_test_on_pull_requests_and_pushes_and_comments_the_diff() -> None:
    ci = load("ci.yml")
    assert set(ci["on"]) == {"pull_request", "push"}
    assert "make test" in scripts_run(ci)
    diff_job = ci["jobs"]["rendered-diff"]
    assert diff_job["permissions"]["pull-requests"] == "write"
    assert 'make -s diff BASE="origin/${BASE_REF}"' in "\n".join(s.get("run", "") for s in diff_job["steps"])


def test_deliver_runs_on_service_changes_to_main_one_group_per_service() -> None:
    deliver = load("deliver.yml")
    assert deliver["on"]["push"] == {"branches": ["main"], "paths": ["apps/**"]}  # a bump (gitops/) never matches
    job = deliver["jobs"]["deliver"]
    assert job["concurrency"] == {"group": "deliver-${{ matrix.service }}", "cancel-in-progress": False}
    assert job["strategy"]["matrix"]["service"] == "${{ fromJSON(needs.changes.outputs.services) }}"
    assert job["permissions"] == {"contents": "write", "packages": "write"}
    build = next(s for s in job["steps"] if s.get("uses", "").startswith("docker/build-push-action@"))
    assert build["with"]["tags"] == "${{ steps.image.outputs.name }}:${{ github.sha }}"
    assert build["with"]["context"] == "apps"
    run = scripts_run(deliver)
    assert 'scripts/bump_image_tag.py --env "${DEPLOY_ENV}" "${SERVICE}=${GITHUB_SHA}"' in run
    assert "scripts/push_with_retry.py" in run


def test_promote_takes_a_service_a_tag_and_an_environment() -> None:
    promote = load("promote.yml")
    inputs = promote["on"]["workflow_dispatch"]["inputs"]
    assert inputs["service"]["options"] == list(SERVICES)
    assert set(inputs) == {"service", "tag", "env"}
    run = scripts_run(promote)
    assert 'scripts/bump_image_tag.py --env "${TARGET_ENV}" "${SERVICE}=${TAG}"' in run
    assert "scripts/push_with_retry.py" in run


def test_every_list_of_the_services_agrees() -> None:
    """The list is repeated where an import is not possible (a workflow, a stdlib-only script)."""
    assert tuple(bump_image_tag.SERVICES) == tuple(changed_services.SERVICES) == tuple(SERVICES)
    dependabot = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    docker = next(u for u in dependabot["updates"] if u["package-ecosystem"] == "docker")
    assert docker["directories"] == [f"/apps/{s}" for s in SERVICES]
    assert sorted(p.parent.name for p in (ROOT / "apps").glob("*/Dockerfile")) == sorted(SERVICES)

