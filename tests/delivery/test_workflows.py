"""What the workflows promise, read from their YAML: triggers, pins, permissions, concurrency, no injection."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
import yaml

import registry
from bootstrap.config import MINIKUBE_MINIMUM
from scripts.delivery import changed_services, layout

WORKFLOWS = registry.ROOT / ".github" / "workflows"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$")
NAMES = sorted(path.name for path in WORKFLOWS.glob("*.y*ml"))  # every workflow, a new one included


def load(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads a bare `on` as true
    return document


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def scripts_run(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


@pytest.mark.parametrize("name", NAMES)
def test_actions_are_pinned_by_commit_with_the_release_in_a_comment(name: str) -> None:
    for line in (WORKFLOWS / name).read_text().splitlines():
        if re.match(r"^\s*(-\s+)?uses:", line):
            assert PINNED.match(line), f"{name}: {line.strip()}"


@pytest.mark.parametrize("name", NAMES)
def test_the_token_is_read_only_unless_a_job_asks(name: str) -> None:
    assert load(name)["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("name", NAMES)
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


def test_the_workflows_checked_here_include_e2e() -> None:
    assert {"ci.yml", "deliver.yml", "promote.yml", "e2e.yml"} <= set(NAMES)


def test_deliver_runs_only_after_ci_passed_on_a_push_to_main() -> None:
    """Not beside ci on a push (a commit whose tests fail was built and rolled out): after it, if it passed."""
    deliver = load("deliver.yml")
    assert set(deliver["on"]) == {"workflow_run", "workflow_dispatch"}
    assert deliver["on"]["workflow_run"] == {"workflows": ["ci"], "types": ["completed"], "branches": ["main"]}
    assert load("ci.yml")["name"] == "ci"  # what workflow_run names
    condition = deliver["jobs"]["changes"]["if"]
    assert "github.event.workflow_run.conclusion == 'success'" in condition
    assert "github.event.workflow_run.event == 'push'" in condition  # a fork's pull request from its main: no
    assert "(github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main')" in condition
    assert deliver["jobs"]["deliver"]["needs"] == "changes"  # so the condition holds back every build


def test_deliver_builds_and_deploys_the_commit_ci_tested_not_the_newest_main() -> None:
    deliver = load("deliver.yml")
    assert deliver["env"]["COMMIT"] == "${{ github.event.workflow_run.head_sha || github.sha }}"
    text = (WORKFLOWS / "deliver.yml").read_text()
    code = "\n".join(line.split(" #", 1)[0] for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert code.count("github.sha") == 1 and "GITHUB_SHA" not in code  # only as the fallback of a manual run
    job = deliver["jobs"]["deliver"]
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "${{ env.COMMIT }}"
    build = next(s for s in job["steps"] if s.get("uses", "").startswith("docker/build-push-action@"))
    assert build["with"]["tags"] == "${{ steps.image.outputs.name }}:${{ env.COMMIT }}"
    assert build["with"]["context"] == "apps"
    run = scripts_run(deliver)
    assert 'scripts/bump_image_tag.py --env "${DEPLOY_ENV}" "${SERVICE}=${COMMIT}"' in run
    assert "python -m scripts.delivery.push_with_retry" in run


def test_deliver_compares_each_service_with_what_is_deployed() -> None:
    """workflow_run has no `before`: the base of each service's diff is the tag it deploys (on the newest main)."""
    deliver = load("deliver.yml")
    changes = deliver["jobs"]["changes"]
    checkout = next(s for s in changes["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"ref": "main", "fetch-depth": 0, "persist-credentials": False}
    detect = next(s for s in changes["steps"] if s.get("id") == "detect")["run"]
    assert 'python -m scripts.delivery.image_name --env "${DEPLOY_ENV}" --tag "${service}"' in detect
    assert 'python -m scripts.delivery.changed_services "${deployed}" "${COMMIT}"' in detect
    job = deliver["jobs"]["deliver"]
    assert job["concurrency"] == {"group": "deliver-${{ matrix.service }}", "cancel-in-progress": False}
    assert job["strategy"]["matrix"]["service"] == "${{ fromJSON(needs.changes.outputs.services) }}"
    assert job["permissions"] == {"contents": "write", "packages": "write"}


def e2e_steps() -> list[dict]:
    return load("e2e.yml")["jobs"]["minikube"]["steps"]


def step_index(name_start: str) -> int:
    return next(i for i, s in enumerate(e2e_steps()) if s.get("name", "").startswith(name_start))


def test_e2e_runs_on_pull_requests_and_pushes_to_main_and_cancels_superseded_pull_request_runs() -> None:
    e2e = load("e2e.yml")
    assert e2e["on"] == {"pull_request": None, "push": {"branches": ["main"]}}
    assert e2e["concurrency"] == {
        "group": "e2e-${{ github.event.pull_request.number || github.sha }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }


def test_e2e_deploys_the_commit_under_test_from_its_own_repository() -> None:
    job = load("e2e.yml")["jobs"]["minikube"]
    assert job["runs-on"] == "ubuntu-24.04"
    assert job["env"]["REPO_URL"] == (
        "${{ github.event.pull_request.head.repo.clone_url"
        " || format('{0}/{1}.git', github.server_url, github.repository) }}"
    )
    assert job["env"]["REVISION"] == "${{ github.event.pull_request.head.sha || github.sha }}"
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "${{ env.REVISION }}"  # the images are built from the same commit
    assert [s["run"] for s in job["steps"] if "run" in s and "make cluster" in s["run"]] == [
        "make cluster",
        "make cluster-verify",
    ]


def test_e2e_sizes_minikube_to_fit_the_runner() -> None:
    """ubuntu-24.04 for a public repository: 4 CPUs, 16 GB (docs.github.com, "GitHub-hosted runners")."""
    env = load("e2e.yml")["jobs"]["minikube"]["env"]
    assert int(env["MINIKUBE_CPUS"]) <= 4
    assert env["MINIKUBE_MEMORY"].endswith("g") and int(env["MINIKUBE_MEMORY"][:-1]) <= 16 - 4  # runner headroom
    assert env["MINIKUBE_DRIVER"] == "docker"


def test_e2e_verifies_the_cluster_after_making_it() -> None:
    assert step_index("make cluster-verify") == step_index("make cluster") + 1


def test_e2e_installs_a_pinned_minikube_and_checks_its_checksum_before_installing_it() -> None:
    env = load("e2e.yml")["jobs"]["minikube"]["env"]
    version = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)", env["MINIKUBE_VERSION"])
    assert version, env["MINIKUBE_VERSION"]
    minimum = tuple(int(part) for part in MINIKUBE_MINIMUM.removeprefix("v").split("."))
    assert tuple(int(part) for part in version.groups()) >= minimum  # the one make cluster's prerequisite check asks
    install = e2e_steps()[step_index("Install minikube")]["run"]
    lines = install.splitlines()
    url = "https://github.com/kubernetes/minikube/releases/download/${MINIKUBE_VERSION}/minikube-linux-amd64"
    assert lines[0] == f'url="{url}"'
    assert any(line.startswith("curl --fail") and line.endswith('"${url}.sha256"') for line in lines)
    check = next(i for i, line in enumerate(lines) if "sha256sum --check" in line)
    install_at = next(i for i, line in enumerate(lines) if line.startswith("sudo install"))
    assert check < install_at  # and bash -e stops at a mismatch


@pytest.mark.parametrize("tampered", [False, True])
def test_e2e_checksum_line_passes_the_release_file_and_refuses_another(tmp_path: Path, tampered: bool) -> None:
    """The workflow's own check line, run with the real sha256sum on a .sha256 made as minikube's release
    makes it: the bare hex digest (kubernetes/minikube v1.38.1, Makefile, target `checksum`)."""
    install = e2e_steps()[step_index("Install minikube")]["run"]
    check = next(line for line in install.splitlines() if "sha256sum --check" in line)
    binary = tmp_path / "minikube-linux-amd64"
    binary.write_bytes(b"\x7fELF release build")
    (tmp_path / "minikube-linux-amd64.sha256").write_text(hashlib.sha256(binary.read_bytes()).hexdigest() + "\n")
    if tampered:
        binary.write_bytes(b"\x7fELF something else")
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", check],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout.strip()) == (
        (1, "minikube-linux-amd64: FAILED") if tampered else (0, "minikube-linux-amd64: OK")
    )


def test_e2e_uploads_the_diagnostics_only_on_failure() -> None:
    steps = e2e_steps()
    collect, upload = step_index("Collect diagnostics"), step_index("Upload diagnostics")
    assert collect > step_index("make cluster-verify") and upload == collect + 1
    assert steps[collect]["if"] == steps[upload]["if"] == "failure()"
    assert steps[collect]["run"] == 'python3 -m bootstrap.diagnostics --out "${RUNNER_TEMP}/e2e-diagnostics"'
    assert steps[upload]["uses"].startswith("actions/upload-artifact@")
    assert steps[upload]["with"]["path"] == "${{ runner.temp }}/e2e-diagnostics"
    assert all("if" not in step for step in steps[:collect])  # every other step runs only while all went well


def test_every_job_and_every_step_that_can_hang_has_a_timeout() -> None:
    for name in NAMES:
        for job_name, job in load(name)["jobs"].items():
            assert job.get("timeout-minutes"), f"{name}: job {job_name}"
    for step in e2e_steps():  # a download, a cluster start, an upload: each can hang
        assert step.get("timeout-minutes"), step.get("name", step.get("uses"))


def test_promote_opens_a_pull_request_and_never_pushes_to_main() -> None:
    promote = load("promote.yml")
    inputs = promote["on"]["workflow_dispatch"]["inputs"]
    assert sorted(inputs["service"]["options"]) == sorted(registry.NAMES)
    assert set(inputs) == {"service", "from", "to"}
    assert (inputs["from"]["default"], inputs["to"]["default"]) == ("minikube", "production")
    job = promote["jobs"]["promote"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "packages": "read"}
    run = scripts_run(promote)
    assert 'python -m scripts.delivery.promote --from "${FROM_ENV}" --to "${TO_ENV}" --repo "${REPOSITORY}"' in run
    assert "push_with_retry" not in run and "git push" not in run  # the branch is pushed by promote.py only


def test_deliver_writes_only_minikube() -> None:
    deliver = load("deliver.yml")
    assert deliver["env"]["DEPLOY_ENV"] == "minikube"
    assert 'bump_image_tag.py --env "${DEPLOY_ENV}"' in scripts_run(deliver)


def test_every_list_of_the_services_agrees() -> None:
    """The delivery code, which CI runs without the registry, derives the services from the folders."""
    assert layout.service_names() == sorted(registry.NAMES)
    assert changed_services.services_at("HEAD", registry.ROOT) == sorted(registry.NAMES)
    dependabot = yaml.safe_load((registry.ROOT / ".github" / "dependabot.yml").read_text())
    docker = next(u for u in dependabot["updates"] if u["package-ecosystem"] == "docker")
    assert sorted(docker["directories"]) == sorted(f"/apps/{s}" for s in registry.NAMES)
    assert sorted(p.parent.name for p in (registry.ROOT / "apps").glob("*/Dockerfile")) == sorted(registry.NAMES)
