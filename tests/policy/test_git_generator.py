"""scripts/delivery/git_generator.py against the semantics of Argo CD v3.5.1's git directories generator
(applicationset/generators/git.go filterApps and generateParamsFromApps; Go's path.Match)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.delivery.git_generator import GeneratorError, directories, generate, params, path_match, selected


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("gitops/envs/minikube/*", "gitops/envs/minikube/users", True),
        ("gitops/envs/minikube/*", "gitops/envs/minikube/users/sub", False),  # Go's `*` stops at `/`
        ("gitops/envs/minikube/*", "gitops/envs/minikube", False),
        ("gitops/envs/*/users", "gitops/envs/production/users", True),
        ("gitops/envs/minikube/[a-r]*", "gitops/envs/minikube/users", False),
        ("gitops/envs/minikube/[^u]*", "gitops/envs/minikube/users", False),
        ("gitops/envs/minikube/?sers", "gitops/envs/minikube/users", True),
        ("gitops/envs/mini.ube/*", "gitops/envs/minikube/users", False),  # `.` is literal
    ],
)
def test_path_match_is_gos(pattern: str, name: str, matches: bool) -> None:
    assert path_match(pattern, name) is matches


def test_an_exclude_entry_wins_over_every_include_entry() -> None:
    entries = [{"path": "e/*"}, {"path": "e/settings"}, {"path": "e/settings", "exclude": True}]
    assert selected(entries, ["e", "e/a", "e/settings", "e/a/b"]) == ["e/a"]


def test_the_go_template_parameters() -> None:
    assert params("gitops/envs/minikube/My_Svc") == {
        "path": "gitops/envs/minikube/My_Svc",
        "basename": "My_Svc",
        "basenameNormalized": "my-svc",
        "segments": ["gitops", "envs", "minikube", "My_Svc"],
    }


def appset(template_name: str = "{{.path.basename}}") -> dict:
    return {
        "metadata": {"name": "s", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "generators": [{"git": {"directories": [{"path": "envs/e/*"}, {"path": "envs/e/skip", "exclude": True}]}}],
            "template": {"metadata": {"name": template_name}, "spec": {"source": {"path": "{{.path.path}}"}}},
        },
    }


def test_one_application_per_folder_hidden_folders_skipped(tmp_path: Path) -> None:
    for folder in ("envs/e/b", "envs/e/a", "envs/e/skip", "envs/e/.hidden", "envs/f/c"):
        (tmp_path / folder).mkdir(parents=True)
    assert "envs/e/.hidden" not in directories(tmp_path)
    apps = generate(appset(), tmp_path)
    assert [(app["metadata"], app["spec"]["source"]["path"]) for app in apps] == [
        ({"name": "a", "namespace": "argocd"}, "envs/e/a"),
        ({"name": "b", "namespace": "argocd"}, "envs/e/b"),
    ]


def test_a_missing_key_is_an_error_as_missingkey_error_makes_it(tmp_path: Path) -> None:
    (tmp_path / "envs/e/a").mkdir(parents=True)
    with pytest.raises(GeneratorError, match=r"\.path\.base does not exist"):
        generate(appset("{{.path.base}}"), tmp_path)
    with pytest.raises(GeneratorError, match="not supported"):
        generate(appset("{{index .path.segments 1}}"), tmp_path)
