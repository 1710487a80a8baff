"""The request id and the one JSON access-log line per request (service_core/observability.py)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from flask.testing import FlaskClient

from service_core.observability import REQUESTS

FIELDS = ["ts", "level", "logger", "msg", "service", "method", "path", "status", "duration_ms", "request_id"]
TS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$")  # logging's own asctime


def access_lines(captured: str) -> list[dict]:
    lines = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "access"]


def test_each_request_is_one_json_line_with_its_request_id(
    isolated_posts: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    owner = str(uuid.uuid4())
    answer = isolated_posts.get(f"/posts?owner={owner}", headers={"Authorization": "Bearer secret-token"})
    (line,) = access_lines(capsys.readouterr().out)

    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
    assert list(line) == FIELDS
    assert TS.match(line["ts"])
    assert (line["level"], line["msg"], line["service"], line["method"]) == ("INFO", "request", "posts", "GET")
    assert (line["path"], line["status"], line["request_id"]) == ("/posts", 200, answer.headers["X-Request-ID"])
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    text = json.dumps(line)
    assert owner not in text and "secret-token" not in text  # neither the query string nor the token


@pytest.mark.parametrize(
    ("sent", "kept"), [("abc-123_x.y", True), ("has space", False), ("x" * 129, False), ("ñandú", False)]
)
def test_a_safe_incoming_request_id_is_kept_and_any_other_replaced(
    isolated_posts: FlaskClient, capsys: pytest.CaptureFixture[str], sent: str, kept: bool
) -> None:
    capsys.readouterr()
    answer = isolated_posts.get("/posts/ping", headers={"X-Request-ID": sent})
    (line,) = access_lines(capsys.readouterr().out)
    assert line["request_id"] == answer.headers["X-Request-ID"]
    assert (answer.headers["X-Request-ID"] == sent) is kept


def test_the_access_logger_level_turns_the_lines_off(
    isolated_posts: FlaskClient, capsys: pytest.CaptureFixture[str], quiet_access_log: None
) -> None:
    capsys.readouterr()
    assert isolated_posts.get("/posts/ping").status_code == 200
    assert access_lines(capsys.readouterr().out) == []


def test_an_unknown_method_is_counted_under_one_label(isolated_posts: FlaskClient) -> None:
    def counted(method: str) -> float:
        return sum(
            sample.value
            for metric in REQUESTS.collect()
            for sample in metric.samples
            if sample.name == "http_requests_total" and sample.labels["method"] == method
        )

    before = counted("OTHER")
    for method in ("BREW", "WHEN", "FOO"):
        assert isolated_posts.open("/posts", method=method).status_code == 405
    assert counted("OTHER") - before == 3
    assert counted("BREW") == 0
