"""scripts/bump_image_tag.py (the code: scripts/delivery/bump.py) against golden files (tests/scripts/fixtures ->
tests/scripts/golden).

The CLI is run as operations.md writes it, plus `--gitops-dir` pointing at a private copy of the fixture
tree. `UPDATE_GOLDEN=1 pytest tests/scripts/test_bump_image_tag.py` rewrites the golden files (review the
diff before committing them).
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

import registry
from scripts.delivery import bump, kustomization, layout
from tests.scripts.commands import run_script
from tests.support.fixture_gitops import FIXTURES, copy_fixture_gitops, snapshot

GOLDEN = Path(__file__).resolve().parent / "golden"
DIGEST = "sha256:" + "4f" * 32
ENVS = FIXTURES / "gitops" / "envs"
FIXTURE_SERVICES = ("offers", "posts", "routes", "users")  # the folders of the fixture's minikube env


def run_bump(gitops: Path, *args: str):
    return run_script("bump_image_tag.py", "--gitops-dir", str(gitops), *args)


def changed_lines(before: str, after: str) -> list[tuple[str, int, int]]:
    """Non-equal opcodes of a line diff, as (kind, old line count, new line count)."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines())
    return [(tag, i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


# --- golden files ---------------------------------------------------------------------------------

GOLDEN_CASES = {
    # name: (env, SERVICE=TAG, what it shows)
    "minikube-users-tag": ("minikube", "users=1234567", "double quotes kept; an all-digit tag stays a string"),
    "minikube-routes-digest": ("minikube", f"routes={DIGEST}", "newTag line becomes digest; postgres untouched"),
    "staging-users-tag": ("staging", "users=v1.2.3", "single quotes and column-0 sequence indent kept"),
    "staging-routes-tag": ("staging", "routes=2.0", "plain style kept, quoted only because 2.0 is a number"),
    "staging-posts-tag": ("staging", "posts=v2", "digest line becomes newTag, its comment stays"),
}


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_bump_matches_the_golden_file_and_changes_one_line(case: str, tmp_path: Path) -> None:
    env, assignment, _ = GOLDEN_CASES[case]
    service = assignment.split("=")[0]
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)

    result = run_bump(gitops, "--env", env, assignment)

    assert result.returncode == 0, result.stderr
    edited = gitops / "envs" / env / service / "kustomization.yaml"
    golden = GOLDEN / f"{case}.yaml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(edited.read_text())
    assert edited.read_text() == golden.read_text()
    original = (ENVS / env / service / "kustomization.yaml").read_text()
    assert changed_lines(original, edited.read_text()) == [("replace", 1, 1)]
    after = snapshot(gitops)
    assert {k for k in before if before[k] != after[k]} == {f"envs/{env}/{service}/kustomization.yaml"}


def test_the_new_value_reads_back_as_the_string_given(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    assert run_bump(gitops, "users=1234567", "routes=1e3", "posts=true", "offers=0.10").returncode == 0
    for service, tag in {"users": "1234567", "routes": "1e3", "posts": "true", "offers": "0.10"}.items():
        document = yaml.safe_load((gitops / "envs" / "minikube" / service / "kustomization.yaml").read_text())
        entry = next(e for e in document["images"] if e["name"] == service)
        assert entry["newTag"] == tag


def test_bumping_every_service_changes_one_line_in_each_file(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    result = run_bump(gitops, "users=a1", "routes=b2", "posts=c3", f"offers={DIGEST}")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4
    for service in FIXTURE_SERVICES:
        relative = Path("envs", "minikube", service, "kustomization.yaml")
        assert changed_lines((FIXTURES / "gitops" / relative).read_text(), (gitops / relative).read_text()) == [
            ("replace", 1, 1)
        ]


# --- idempotence and --check ----------------------------------------------------------------------


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    assert run_bump(gitops, "users=abc", f"routes={DIGEST}").returncode == 0
    after_first = snapshot(gitops)

    second = run_bump(gitops, "users=abc", f"routes={DIGEST}")

    assert second.returncode == 0
    assert snapshot(gitops) == after_first  # same bytes, same modification times
    assert all(line.split(": ")[1].startswith("already") for line in second.stdout.splitlines())


def test_check_exits_1_only_when_a_change_is_pending_and_touches_nothing(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)

    pending = run_bump(gitops, "--check", "users=abc", "routes=0.1.0")
    assert pending.returncode == 1
    assert "users: would change 0.1.0 -> abc" in pending.stdout
    assert snapshot(gitops) == before

    assert run_bump(gitops, "--check", "routes=0.1.0").returncode == 0  # already there
    assert run_bump(gitops, "users=abc").returncode == 0
    assert run_bump(gitops, "--check", "users=abc", "routes=0.1.0").returncode == 0


# --- refusals: one line on stderr, exit 2, no file touched ----------------------------------------

REFUSED = {
    "invalid tag": (["users=ok", "routes=bad:tag"], "invalid image tag 'bad:tag'"),
    "tag starting with a dot": (["users=.hidden"], "invalid image tag"),
    "tag too long": (["users=" + "a" * 129], "invalid image tag"),
    "short digest": (["users=sha256:abc"], "invalid digest"),
    "upper-case digest": (["users=sha256:" + "AB" * 32], "invalid digest"),
    "unknown service": (["users=ok", "billing=1.0"], "unknown service 'billing'"),
    "unknown environment": (["--env", "production", "users=ok"], "unknown environment 'production'"),
    "not SERVICE=TAG": (["users"], "expected SERVICE=TAG"),
    "empty tag": (["users="], "invalid image tag ''"),
    "service twice": (["users=a", "users=b"], "given more than once"),
    "nothing to bump": ([], "nothing to bump"),
    "unknown option": (["--force", "users=a"], "unrecognized arguments"),
    "env without the service": (["--env", "staging", "users=ok", "offers=ok"], "does not deploy 'offers'"),
    "both newTag and digest": (["--env", "broken", "users=ok"], "has both newTag and digest"),
    "no images list": (["--env", "broken", "routes=ok"], "has no images: list"),
    "invalid YAML": (["--env", "broken", "posts=ok"], "not valid YAML"),
    "style that cannot round-trip": (["--env", "broken", "offers=ok"], "without reformatting"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refusals_print_one_line_exit_2_and_touch_no_file(case: str, tmp_path: Path) -> None:
    args, message = REFUSED[case]
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)

    result = run_bump(gitops, *args)

    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert result.stdout == ""
    assert snapshot(gitops) == before


# --- which services: the folders of gitops/envs/, not a list -------------------------------------

KUSTOMIZATION = """apiVersion: kustomize.config.k8s.io/{version}
kind: {kind}
images:
  - name: {name}
    newName: ghcr.io/gitops-marketplace/{name}
    newTag: "0.1.0"
"""


def add_folder(gitops: Path, name: str, kind: str = "Kustomization") -> Path:
    path = gitops / "envs" / "minikube" / name / "kustomization.yaml"
    path.parent.mkdir(exist_ok=True)
    version = "v1alpha1" if kind == "Component" else "v1beta1"
    path.write_text(KUSTOMIZATION.format(version=version, kind=kind, name=name))
    return path


def test_a_new_service_is_known_by_its_folder_alone(tmp_path: Path) -> None:
    """Adding a service needs no edit of the bump: its gitops/envs/<env>/<svc>/kustomization.yaml is enough."""
    gitops = copy_fixture_gitops(tmp_path)
    path = add_folder(gitops, "billing")
    result = run_bump(gitops, "billing=v2")
    assert result.returncode == 0, result.stderr
    assert changed_lines(
        KUSTOMIZATION.format(version="v1beta1", kind="Kustomization", name="billing"), path.read_text()
    ) == [("replace", 1, 1)]
    assert 'newTag: "v2"' in path.read_text()


def test_a_component_folder_of_an_env_is_not_a_service(tmp_path: Path) -> None:
    """settings/ is what the services include: even with an images entry of its name it is not bumped."""
    gitops = copy_fixture_gitops(tmp_path)
    add_folder(gitops, "settings", kind="Component")
    before = snapshot(gitops)
    result = run_bump(gitops, "settings=v2")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "bump_image_tag: unknown service 'settings': expected one of offers, posts, routes, users\n"
    assert snapshot(gitops) == before


def test_a_failed_write_leaves_every_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)
    real_mkstemp, calls = tempfile.mkstemp, []

    def failing_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(bump.tempfile, "mkstemp", failing_second_time)
    with pytest.raises(SystemExit) as exit_info:
        bump.main(["--gitops-dir", str(gitops), "users=abc", "routes=def"])

    assert exit_info.value.code == 2
    assert snapshot(gitops) == before  # users was fully prepared, yet not written; no temporary file left


# --- the pure functions ---------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["v1", "_x", "1.0.0-rc.1", "A_b.C-d", "a" * 128, "sha256:" + "0a" * 32])
def test_valid_references(ref: str) -> None:
    assert bump.validate_ref(ref) == ref


@pytest.mark.parametrize("ref", ["", "-x", ".x", "a/b", "a:b", "a b", "a" * 129, "latest\n", "sha256:" + "0" * 63])
def test_invalid_references(ref: str) -> None:
    with pytest.raises(kustomization.BumpError):
        bump.validate_ref(ref)


def test_a_missing_tag_is_added_after_new_name_as_one_line() -> None:
    text = 'images:\n  - name: users\n    newName: ghcr.io/x/users\n  - name: other\n    newTag: "1"\n'
    new = kustomization.set_image_ref(text, "users", "abc")
    assert new == (
        'images:\n  - name: users\n    newName: ghcr.io/x/users\n    newTag: "abc"\n  - name: other\n    newTag: "1"\n'
    )


def test_the_key_kind_follows_the_reference() -> None:
    assert bump.Bump("users", "v1").key == "newTag"
    assert bump.Bump("users", DIGEST).key == "digest"


# --- the repository's own environments ------------------------------------------------------------


def real_kustomizations() -> list[Path]:
    """The services' kustomizations (an env's shared settings/ Component has no image to bump)."""
    return [
        service / "kustomization.yaml"
        for env in layout.environments(registry.ROOT / "gitops")
        for service in layout.services(env)
    ]


def test_the_repository_has_an_environment_for_every_service() -> None:
    envs = [env.name for env in layout.environments(registry.ROOT / "gitops")]
    assert "minikube" in envs
    for service in registry.NAMES:
        assert layout.kustomization_path(registry.ROOT / "gitops", "minikube", service).is_file()
    assert layout.service_names(registry.ROOT / "gitops") == sorted(registry.NAMES)


@pytest.mark.parametrize("path", real_kustomizations(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_every_real_kustomization_can_be_bumped_by_one_line(path: Path) -> None:
    """The real tree (read only, never written): each file round-trips and a bump is a one-line change."""
    service, text = path.parent.name, path.read_text()
    assert kustomization.set_image_ref(text, service, kustomization.image_ref(text, service) or "x") == text
    assert changed_lines(text, kustomization.set_image_ref(text, service, "probe-tag")) == [("replace", 1, 1)]


def test_a_bump_of_every_service_changes_only_their_image_lines(tmp_path: Path) -> None:
    """A copy of the real tree: the env's settings/ Component (and everything else) stays byte for byte."""
    gitops = tmp_path / "gitops"
    shutil.copytree(registry.ROOT / "gitops", gitops)
    before = snapshot(gitops)
    result = run_bump(gitops, *(f"{service}=probe-tag" for service in registry.NAMES))
    assert result.returncode == 0, result.stderr
    after = snapshot(gitops)
    changed = sorted(name for name in before if before[name][0] != after[name][0])
    assert changed == sorted(f"envs/minikube/{service}/kustomization.yaml" for service in registry.NAMES)
    assert (gitops / "envs" / "minikube" / "settings" / "kustomization.yaml").is_file()
