"""`python -m service_core.migrate <service>`: it migrates any service whose package is on the path with its
migrations, as in an image that holds one service only, and refuses any other name with one sentence + exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from registry import ROOT
from service_core.config import normalise_database_uri
from service_core.migrate import alembic_config, main

UNKNOWN = "No service {!r} here: no package with Alembic migrations is on the path.\n"


def run_in_image(service: str, *packages: str) -> subprocess.CompletedProcess[str]:
    """The runner as the image runs it: only the shared core and `packages` on the path, no DATABASE_URI."""
    environ = {key: value for key, value in os.environ.items() if key != "DATABASE_URI"}
    environ["PYTHONPATH"] = os.pathsep.join(str(ROOT / "apps" / name) for name in ("core", *packages))
    command = [sys.executable, "-m", "service_core.migrate", service]
    return subprocess.run(command, env=environ, cwd="/", capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", ["parcels", "service_core", "json", "this", "users.migrations", "../users", ""])
def test_a_name_without_migrations_is_one_sentence_and_exit_2(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Not a package, a package without migrations, a module, or not a name at all: refused before anything runs."""
    assert main([name]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", UNKNOWN.format(name))  # `this` was located, not imported: no Zen of Python printed


def test_the_image_of_users_migrates_users_and_refuses_routes() -> None:
    refused = run_in_image("routes", "users")
    assert (refused.returncode, refused.stderr) == (2, UNKNOWN.format("routes"))
    accepted = run_in_image("users", "users")  # past the service check: it stops at the missing database URL
    assert (accepted.returncode, accepted.stderr) == (
        2,
        "DATABASE_URI is not set: give the users service its database URL.\n",
    )


def test_a_new_service_needs_only_its_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """A fifth service is known to the runner as soon as its package has migrations: no list to extend."""
    (tmp_path / "parcels" / "migrations").mkdir(parents=True)
    (tmp_path / "parcels" / "__init__.py").write_text("")
    (tmp_path / "parcels" / "migrations" / "env.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("DATABASE_URI", raising=False)
    assert main(["parcels"]) == 2
    assert capsys.readouterr().err == "DATABASE_URI is not set: give the parcels service its database URL.\n"


def test_it_applies_the_migrations(migrated_database: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    uri = normalise_database_uri(migrated_database("posts", "cli"))
    command.downgrade(alembic_config("posts", uri), "base")
    engine = create_engine(uri)
    try:
        assert inspect(engine).get_table_names() == ["alembic_version"]
        monkeypatch.setenv("DATABASE_URI", uri)
        assert main(["posts", "--wait", "5"]) == 0
        assert "posts" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
