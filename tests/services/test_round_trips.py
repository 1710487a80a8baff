"""One database round trip per statement (service_core/db.py), read in PostgreSQL's own statement log.

No `SELECT 1` before a query, no `BEGIN` before a read or a single-row write, no `ROLLBACK` after one; a write
of several statements runs in one transaction; a pooled connection the server closed is replaced without a
query, so the request that follows still succeeds.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg2 import sql

from posts.models import Post
from scripts.stack.postgres import LocalPostgres
from service_core import db
from tests.support.bodies import in_days

DATABASE = "test_posts_isolated"  # the isolated posts app's database (tests/services/service_apps.py)
_STATEMENT = re.compile(r"LOG:  statement: (.*)")


@contextlib.contextmanager
def statements_sent(postgres: LocalPostgres, app: Flask) -> Iterator[list[str]]:
    """Every statement the app sends inside the block, as the server logs it (`log_statement = all` on the
    app's database only: a superuser setting, so the app's pool is emptied for new sessions to take it)."""
    seen: list[str] = []
    with contextlib.closing(postgres.admin()) as admin, admin.cursor() as cursor:
        cursor.execute(sql.SQL("ALTER DATABASE {} SET log_statement = 'all'").format(sql.Identifier(DATABASE)))
        try:
            with app.app_context():
                db.engine().dispose()
            start = postgres.log_file.stat().st_size
            yield seen
            with postgres.log_file.open(encoding="utf-8", errors="replace") as log:
                log.seek(start)
                seen.extend(match.group(1) for match in _STATEMENT.finditer(log.read()))
        finally:
            cursor.execute(sql.SQL("ALTER DATABASE {} RESET log_statement").format(sql.Identifier(DATABASE)))
            with app.app_context():
                db.engine().dispose()


def new_post(client: FlaskClient) -> str:
    body = {"userId": str(uuid.uuid4()), "routeId": str(uuid.uuid4()), "expireAt": in_days(3)}
    answer = client.post("/posts", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def verbs(statements: list[str]) -> list[str]:
    return [statement.split()[0].upper() for statement in statements]


@pytest.mark.parametrize(
    ("request_path", "verb"),
    [("/posts/{id}", "SELECT"), ("/posts?route={route}", "SELECT"), ("/posts?limit=5", "SELECT")],
)
def test_a_read_is_one_statement(
    postgres: LocalPostgres, isolated_posts_app: Flask, isolated_posts: FlaskClient, request_path: str, verb: str
) -> None:
    post_id = new_post(isolated_posts)
    route = isolated_posts.get(f"/posts/{post_id}").json["routeId"]
    with statements_sent(postgres, isolated_posts_app) as sent:
        assert isolated_posts.get(request_path.format(id=post_id, route=route)).status_code == 200
    assert verbs(sent) == [verb], sent


def test_a_single_row_write_is_one_statement(
    postgres: LocalPostgres, isolated_posts_app: Flask, isolated_posts: FlaskClient
) -> None:
    with statements_sent(postgres, isolated_posts_app) as sent:
        post_id = new_post(isolated_posts)
        assert isolated_posts.delete(f"/posts/{post_id}").status_code == 200
    assert verbs(sent) == ["INSERT", "DELETE"], sent


def test_a_write_of_several_statements_is_one_transaction(
    postgres: LocalPostgres, isolated_posts_app: Flask, isolated_posts: FlaskClient
) -> None:
    with statements_sent(postgres, isolated_posts_app) as sent:
        assert isolated_posts.post("/posts/reset").status_code == 200
    assert verbs(sent)[0] == "BEGIN" and verbs(sent)[-1] == "COMMIT", sent
    assert set(verbs(sent)[1:-1]) == {"DELETE"}, sent


def test_a_connection_the_server_closed_is_replaced_before_the_next_request(
    postgres: LocalPostgres, isolated_posts_app: Flask, isolated_posts: FlaskClient
) -> None:
    post_id = new_post(isolated_posts)
    with contextlib.closing(postgres.admin()) as admin, admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (DATABASE, "posts"),
        )
        assert cursor.fetchall(), "the app held no pooled connection to terminate"
    # Without the check on checkout, this request would get the dead connection: 503.
    assert isolated_posts.get(f"/posts/{post_id}").status_code == 200


def test_several_rows_are_written_only_in_a_transaction(isolated_posts_app: Flask, isolated_posts: FlaskClient) -> None:
    def post() -> Post:
        moment = in_days(0)
        return Post(
            route_id=uuid.uuid4(), user_id=uuid.uuid4(), expire_at=in_days(1), created_at=moment, updated_at=moment
        )

    with isolated_posts_app.app_context():
        session = db.session()
        session.add_all([post(), post()])
        with pytest.raises(db.PartialWriteRisk):
            session.commit()
        session.rollback()
        with db.transaction() as transactional:
            transactional.add_all([post(), post()])
    assert isolated_posts.get("/posts/count").json == {"count": 2}
