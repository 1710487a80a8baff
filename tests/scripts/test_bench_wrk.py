"""The benchmark's load generators against a real local HTTP/1.1 server: wrk with wrk_report.lua (scripts/bench/
wrk.py) and its fallback, the Python generator (load.py), sending alike and counting errors alike; finding or
installing wrk, and the one sentence when neither works; reading wrk's JSON line."""

from __future__ import annotations

import json
import math
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.bench.endpoints import Endpoint
from scripts.bench.generator import NO_WRK, LoadGenerator, pick_generator
from scripts.bench.load import PythonLoad
from scripts.bench.wrk import WrkError, WrkLoad, apt_install_wrk, find_wrk, parse_report
from scripts.stack.service_process import free_port
from tests.scripts.bench_server import Received, recording_server

WRK = shutil.which("wrk")
needs_wrk = pytest.mark.skipif(WRK is None, reason="wrk is not installed (apt-get install wrk, brew install wrk)")
AUTH = {"Authorization": "Bearer the-token"}
EXPIRE_AT = "2031-02-03T04:05:06.000007Z"


@pytest.fixture
def server() -> Iterator[tuple[str, list[Received]]]:
    with recording_server() as running:
        yield running


def wrk() -> LoadGenerator:
    return WrkLoad(WRK, connections=2)


def python() -> LoadGenerator:
    return PythonLoad(connections=2)


GENERATORS = [pytest.param(wrk, marks=needs_wrk, id="wrk"), pytest.param(python, id="python")]


@pytest.mark.parametrize("make", GENERATORS)
def test_each_post_has_the_headers_and_a_json_body_of_its_own(make, server) -> None:
    url, received = server
    endpoint = Endpoint("POST", "POST", f"{url}/answer/201", 201, AUTH, post_expire_at=EXPIRE_AT)
    result = make().run(endpoint, 1)

    assert result.errors == 0 and result.error_statuses == {} and result.requests > 20
    assert 0.9 < result.seconds < 1.5 and result.rps == pytest.approx(result.requests / result.seconds)
    assert 0 < result.p50_ms <= result.p99_ms
    assert len(received) >= result.requests  # wrk's last requests may have no answer within its duration
    assert {(request.method, request.path) for request in received} == {("POST", "/answer/201")}
    assert all(request.headers["Authorization"] == "Bearer the-token" for request in received)
    assert all(request.headers["Content-Type"] == "application/json" for request in received)
    bodies = [json.loads(request.body) for request in received]
    assert all(sorted(body) == ["expireAt", "routeId"] and body["expireAt"] == EXPIRE_AT for body in bodies)
    route_ids = [body["routeId"] for body in bodies]
    assert all(uuid.UUID(route_id).version == 4 and str(uuid.UUID(route_id)) == route_id for route_id in route_ids)
    assert len(set(route_ids)) == len(route_ids)


@pytest.mark.parametrize("make", GENERATORS)
def test_a_get_has_its_headers_and_no_body(make, server) -> None:
    url, received = server
    result = make().run(Endpoint("GET", "GET", f"{url}/answer/200?route=abc", 200, AUTH), 1)
    assert result.errors == 0 and result.requests > 20
    assert {(request.method, request.path, request.body) for request in received} == {
        ("GET", "/answer/200?route=abc", b"")
    }
    assert all(request.headers["Authorization"] == "Bearer the-token" for request in received)


@needs_wrk
@pytest.mark.parametrize("status", [500, 201], ids=["500", "201-where-200-is-expected"])
def test_wrk_counts_every_unexpected_status_as_an_error(server, status: int) -> None:
    """wrk itself counts only statuses above 399: a 201 where a 200 is expected is an error too."""
    url, _ = server
    result = wrk().run(Endpoint("GET", "GET", f"{url}/answer/{status}", 200), 1)
    assert result.requests > 20 and result.error_statuses == {str(status): result.requests}
    assert result.errors == result.requests


@needs_wrk
def test_wrk_counts_a_refused_connection_as_an_error() -> None:
    result = wrk().run(Endpoint("GET", "GET", f"http://127.0.0.1:{free_port()}/answer/200", 200), 1)
    assert (result.requests, result.errors, result.error_statuses) == (0, 1, {"socket connect": 1})


@needs_wrk
def test_wrk_counts_a_hang_up_without_an_answer_as_an_error(server) -> None:
    url, received = server
    result = wrk().run(Endpoint("GET", "GET", f"{url}/hang-up", 200), 1)
    assert received and result.requests == 0
    assert result.errors == result.error_statuses["socket read"] > 0


def test_a_report_line_is_read_in_milliseconds_and_errors_are_summed() -> None:
    report = {
        "requests": 5000,
        "duration_us": 2_000_000,
        "p50_us": 1500,
        "p99_us": 12250,
        "socket_errors": {"connect": 0, "read": 2, "write": 0, "timeout": 1},
        "unexpected": {"500": 3, "201": 4},
    }
    stdout = f"Running 2s test @ http://127.0.0.1:1/\n  5000 requests in 2.00s\n{json.dumps(report)}\n"
    result = parse_report(stdout, "")
    assert (result.requests, result.seconds, result.rps, result.p50_ms, result.p99_ms) == (5000, 2, 2500, 1.5, 12.25)
    assert result.error_statuses == {"500": 3, "201": 4, "socket read": 2, "socket timeout": 1}
    assert result.errors == 10


def test_no_report_line_is_a_wrk_error_unless_wrk_could_not_connect() -> None:
    with pytest.raises(WrkError, match="wrk printed no report: .*attempt to call a nil value"):
        parse_report("", "wrk_report.lua: attempt to call a nil value\n")
    refused = parse_report("", "unable to connect to 127.0.0.1:9 Connection refused\n")
    assert (refused.requests, refused.errors, refused.rps, math.isnan(refused.p99_ms)) == (0, 1, 0.0, True)


def test_the_command_runs_one_thread_and_passes_the_request_to_the_script() -> None:
    endpoint = Endpoint("POST", "POST", "http://h:1/posts", 201, AUTH, post_expire_at=EXPIRE_AT)
    command = WrkLoad("/bin/wrk", connections=8).command(endpoint, 5)
    wrk_args, script_args = command[: command.index("--")], command[command.index("--") + 1 :]
    assert wrk_args[0] == "/bin/wrk" and wrk_args[-1] == "http://h:1/posts"
    assert " --threads 1 --connections 8 --duration 5s " in " ".join(wrk_args)
    assert [arg for arg in script_args if not arg.startswith("seed=")] == [
        "method=POST",
        "expect=201",
        "header=Authorization: Bearer the-token",
        f"expire_at={EXPIRE_AT}",
    ]


def fake_wrk(folder: Path) -> Path:
    path = folder / "wrk"
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_wrk_on_the_path_is_used_without_installing(tmp_path: Path) -> None:
    def must_not_install() -> bool:
        raise AssertionError("wrk is on the path: nothing to install")

    assert find_wrk(str(fake_wrk(tmp_path).parent), must_not_install) == str(tmp_path / "wrk")


def test_a_missing_wrk_is_installed_and_then_found(tmp_path: Path) -> None:
    installed = []

    def install() -> bool:
        installed.append(fake_wrk(tmp_path))
        return True

    assert find_wrk(str(tmp_path), install) == str(tmp_path / "wrk") and len(installed) == 1


def test_without_wrk_nor_a_way_to_install_it_one_sentence_and_the_python_generator(tmp_path: Path) -> None:
    said: list[str] = []
    generator = pick_generator(8, path=str(tmp_path), install=lambda: False, say=said.append)
    assert isinstance(generator, PythonLoad) and generator.connections == 8
    assert said == [NO_WRK]
    assert NO_WRK.count(". ") == 0 and NO_WRK.endswith(".")  # one sentence
    assert all(words in NO_WRK for words in ("wrk", "apt-get install wrk", "brew install wrk", "lower", "CPU"))


def test_a_found_wrk_is_the_generator_and_nothing_is_said(tmp_path: Path) -> None:
    said: list[str] = []
    generator = pick_generator(3, path=str(fake_wrk(tmp_path).parent), install=lambda: False, say=said.append)
    assert generator == WrkLoad(str(tmp_path / "wrk"), 3) and said == []


def test_apt_is_not_tried_where_there_is_no_apt_get(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no apt-get on it
    assert apt_install_wrk() is False
