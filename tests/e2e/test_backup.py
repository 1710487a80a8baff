"""`make backup` and `make restore` against a local stack of their own: every row of every database survives a
backup, a wipe and a restore; a corrupt or truncated dump, and a database that holds rows (without FORCE), are
refused and leave the database exactly as it was."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
import requests
import yaml
from psycopg2 import sql

import registry
from scripts.stack.local_stack import LocalStack
from scripts.stack.postgres import client_tool
from tests.support.bodies import in_days, new_route
from tests.support.callers import Caller, sign_up_and_log_in
from tests.support.stacks import own_stack

Rows = dict[str, list[tuple[object, ...]]]  # table -> every row, in primary-key order
CALLERS = 10
PER_CALLER = 10  # routes, posts and offers each


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    yield from own_stack(tmp_path_factory.mktemp("backup-stack"))


def fill(stack: LocalStack) -> None:
    """Rows in all four databases, made through the API: CALLERS users, each with PER_CALLER routes, posts, offers."""
    for _ in range(CALLERS):
        caller: Caller = sign_up_and_log_in(stack.url("users"))
        for _ in range(PER_CALLER):
            route = new_route(f"F{uuid.uuid4().hex[:6]}")
            route_id = _created(stack, "routes", route, caller)
            post_id = _created(stack, "posts", {"routeId": route_id, "expireAt": in_days(5)}, caller)
            offer = {"postId": post_id, "description": "a book", "size": "SMALL", "fragile": False, "offer": 25.5}
            _created(stack, "offers", offer, caller)


def _created(stack: LocalStack, service: str, body: dict[str, object], caller: Caller) -> str:
    answer = requests.post(f"{stack.url(service)}/{service}", json=body, headers=caller.headers, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def rows(url: str) -> Rows:
    """SELECT * of every table of the public schema, ordered by its primary key."""
    with contextlib.closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        found: Rows = {}
        for (table,) in cursor.fetchall():
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attname",
                (table,),
            )
            key = [sql.Identifier(name) for (name,) in cursor.fetchall()]
            assert key, f"{table} has no primary key"
            cursor.execute(
                sql.SQL("SELECT * FROM {} ORDER BY {}").format(sql.Identifier(table), sql.SQL(", ").join(key))
            )
            found[table] = cursor.fetchall()
        return found


def snapshot(stack: LocalStack) -> dict[str, Rows]:
    return {service: rows(url) for service, url in stack.database_urls().items()}


def command(stack: LocalStack, backups: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m scripts.stack …`, as the Makefile runs it, pointed at this test's stack."""
    env = {
        **os.environ,
        "LOCAL_STACK_DIR": str(stack.state_dir),
        "LOCAL_POSTGRES_PORT": str(stack.postgres_port),
        "LOCAL_BACKUP_DIR": str(backups),
    }
    return subprocess.run(
        [sys.executable, "-m", "scripts.stack", *args], env=env, cwd=registry.ROOT, capture_output=True, text=True
    )


def reset(stack: LocalStack) -> None:
    for service in registry.NAMES:
        assert requests.post(f"{stack.url(service)}/{service}/reset", timeout=10).status_code == 200


def row_count(taken: dict[str, Rows]) -> dict[str, int]:
    return {service: sum(map(len, tables.values())) for service, tables in taken.items()}


@pytest.fixture(scope="module")
def backed_up(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Rows]]:
    """The filled stack's backup folder, and every row it held then."""
    fill(stack)
    before = snapshot(stack)
    done = command(stack, tmp_path_factory.mktemp("backups"), "backup")
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip()), before


def test_backup_writes_one_dump_per_service_in_a_new_utc_folder(backed_up: tuple[Path, dict[str, Rows]]) -> None:
    folder, _ = backed_up
    assert datetime.strptime(folder.name, "%Y%m%dT%H%M%SZ")  # the folder is named by its UTC time
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{name}.dump" for name in registry.NAMES)
    assert all(path.read_bytes().startswith(b"PGDMP") for path in folder.iterdir())  # pg_dump's custom format


def test_a_wiped_stack_gets_every_row_back(stack: LocalStack, backed_up: tuple[Path, dict[str, Rows]]) -> None:
    folder, before = backed_up
    # Each service's own table (named like it) holds what fill() made: the users, and their routes, posts, offers.
    made = {service: CALLERS * (1 if service == "users" else PER_CALLER) for service in registry.NAMES}
    assert {service: len(before[service][service]) for service in registry.NAMES} == made
    reset(stack)
    assert snapshot(stack) != before
    done = command(stack, folder.parent, "restore", str(folder))
    assert done.returncode == 0, done.stderr
    assert snapshot(stack) == before
    tables = {service: {table: len(found) for table, found in taken.items()} for service, taken in before.items()}
    print(f"round trip: rows compared, by service and table: {tables}")


def test_one_service_restores_into_a_dropped_and_recreated_database(
    stack: LocalStack, backed_up: tuple[Path, dict[str, Rows]]
) -> None:
    folder, before = backed_up
    password = urlsplit(stack.database_urls()["posts"]).password or ""
    stack.postgres.drop_database("posts")
    stack.postgres.ensure_database("posts", "posts", password)  # empty: not even the schema
    assert rows(stack.database_urls()["posts"]) == {}
    done = command(stack, folder.parent, "restore", str(folder / "posts.dump"))
    assert done.returncode == 0, done.stderr
    assert snapshot(stack) == before


def test_a_database_with_rows_is_refused_without_force(
    stack: LocalStack, backed_up: tuple[Path, dict[str, Rows]]
) -> None:
    folder, before = backed_up
    command(stack, folder.parent, "restore", str(folder), "--force")
    fill(stack)  # new rows since the backup
    grown = snapshot(stack)
    done = command(stack, folder.parent, "restore", str(folder))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0  # one sentence
    assert "database is not empty" in done.stderr and "FORCE=1" in done.stderr
    assert snapshot(stack) == grown
    forced = command(stack, folder.parent, "restore", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert snapshot(stack) == before  # the rows made after the backup are gone, every backed-up one is back


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _corrupt(data: bytes) -> bytes:
    """Bytes overwritten inside the last (compressed) data block: the table of contents is intact."""
    at = len(data) - 64
    return data[:at] + b"\xff" * 32 + data[at + 32 :]


def _garbage(data: bytes) -> bytes:
    return b"not a dump at all\n" * 10


@pytest.mark.parametrize("damage", [_truncated, _corrupt, _garbage], ids=["truncated", "corrupt", "not a dump"])
def test_a_damaged_dump_is_refused_and_changes_nothing(
    stack: LocalStack, backed_up: tuple[Path, dict[str, Rows]], tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    folder, _ = backed_up
    fill(stack)  # rows a forced restore would replace, had it started
    before = snapshot(stack)
    damaged = tmp_path / "users.dump"
    damaged.write_bytes(damage((folder / "users.dump").read_bytes()))
    done = command(stack, tmp_path, "restore", str(damaged), "--force")
    assert done.returncode == 1
    assert "is not a complete pg_dump archive (corrupt or truncated), so nothing was restored" in done.stderr
    assert snapshot(stack) == before


def test_a_restore_that_fails_half_way_is_rolled_back(
    stack: LocalStack, backed_up: tuple[Path, dict[str, Rows]]
) -> None:
    """A dump that reads whole but cannot be applied: a view of the operator's own depends on a table the
    restore must drop, so pg_restore fails after its first statements; the one transaction undoes them."""
    folder, _ = backed_up
    fill(stack)
    url = stack.database_urls()["routes"]
    with contextlib.closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE VIEW every_route AS SELECT * FROM routes")
        connection.commit()
    before = snapshot(stack)
    done = command(stack, folder.parent, "restore", str(folder / "routes.dump"), "--force")
    assert done.returncode == 1
    assert "pg_restore failed on" in done.stderr and "the routes database was left as it was" in done.stderr
    assert snapshot(stack) == before
    with contextlib.closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("DROP VIEW every_route")
        connection.commit()


def test_restore_names_what_is_missing(stack: LocalStack, tmp_path: Path) -> None:
    done = command(stack, tmp_path, "restore", str(tmp_path))
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"error: {tmp_path} is not a whole backup: "
        + ", ".join(f"{name}.dump" for name in registry.NAMES)
        + " missing."
    )
    done = command(stack, tmp_path, "restore")
    assert done.returncode == 2 and "restore needs the backup to restore" in done.stderr


# --- The cluster's backup CronJob: its script, run here against the stack's PostgreSQL --------------------

CRONJOB = registry.ROOT / "gitops" / "service-template" / "backup.yaml"


def cronjob_container() -> dict[str, object]:
    job = next(doc for doc in yaml.safe_load_all(CRONJOB.read_text()) if doc["kind"] == "CronJob")
    return job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]


def run_cronjob(stack: LocalStack, folder: Path, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """The container's command with its environment, the database and the claim's folder pointed here. /bin/sh
    and coreutils stand in for the image's busybox: the script uses only what POSIX sh and both of them have."""
    container = cronjob_container()
    url = urlsplit(stack.database_urls()["users"])
    env = {item["name"]: item["value"] for item in container["env"] if "value" in item}
    env |= {
        "POSTGRES_DB": "users",
        "DATABASE_HOST": url.hostname or "",
        "DATABASE_PORT": str(url.port),
        "POSTGRES_USER": url.username or "",
        "POSTGRES_PASSWORD": password if password is not None else url.password or "",
        "BACKUP_DIR": str(folder),
        "PATH": f"{client_tool('pg_dump').parent}:{os.environ['PATH']}",
    }
    return subprocess.run(container["command"], env=env, capture_output=True, text=True)


def test_the_cronjob_keeps_the_newest_dumps_and_they_restore(
    stack: LocalStack, backed_up: tuple[Path, dict[str, Rows]], tmp_path: Path
) -> None:
    _, before = backed_up
    kept = int(next(item["value"] for item in cronjob_container()["env"] if item["name"] == "BACKUPS_KEPT"))
    older = [tmp_path / f"2020010{day}T030000Z.dump" for day in range(1, kept + 2)]  # one more than it keeps
    for path in older:
        path.write_bytes(b"an older dump")
    command(stack, tmp_path, "restore", str(backed_up[0]), "--force")
    done = run_cronjob(stack, tmp_path)
    assert done.returncode == 0, done.stderr
    left = sorted(path.name for path in tmp_path.iterdir())
    new = [name for name in left if not name.startswith("2020")]
    assert len(new) == 1 and f"kept: {kept}" in done.stdout
    assert left == sorted([*new, *(path.name for path in older[-(kept - 1) :])])  # the two oldest went
    (tmp_path / "users.dump").write_bytes((tmp_path / new[0]).read_bytes())
    reset(stack)
    restored = command(stack, tmp_path, "restore", str(tmp_path / "users.dump"))
    assert restored.returncode == 0, restored.stderr
    assert snapshot(stack)["users"] == before["users"]


def test_a_failed_cronjob_run_deletes_nothing(stack: LocalStack, tmp_path: Path) -> None:
    older = [tmp_path / f"2020010{day}T030000Z.dump" for day in range(1, 10)]
    for path in older:
        path.write_bytes(b"an older dump")
    done = run_cronjob(stack, tmp_path, password="wrong")
    assert done.returncode != 0
    assert "password authentication failed" in done.stderr
    assert sorted(tmp_path.iterdir()) == sorted(older)  # no dump pruned, no partial file left counted as one
