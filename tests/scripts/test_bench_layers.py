"""`make profile`'s grouping of py-spy samples into layers (scripts/bench/layers.py), on real py-spy output."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from scripts.bench.layers import OTHER, frames_of, layer_of, shares
from scripts.bench.profile import py_spy

GUNICORN = "ThreadWorker.handle (gunicorn/workers/gthread.py:553)"
FLASK = "Flask.wsgi_app (flask/app.py:1518)"
SPECTREE = "FlaskPlugin.validate (spectree/plugins/flask_plugin.py:133)"
VIEW = "get_post (posts/api.py:81)"  # py-spy writes paths relative to sys.path
QUERY = "DefaultDialect.do_execute (sqlalchemy/engine/default.py:951)"
PYDANTIC = "BaseModel.model_validate (pydantic/main.py:705)"
AS_JSON = "as_json (service_core/responses.py:58)"
PING = "_PGDialect_common_psycopg.do_ping (sqlalchemy/dialects/postgresql/_psycopg_common.py:190)"


def raw(*stacks: tuple[list[str], int]) -> list[str]:
    prefix = 'process 12:"gunicorn";process 13:"gunicorn";'
    return [prefix + ";".join(frames) + f" {count}" for frames, count in stacks]


def test_the_deepest_frame_that_names_a_layer_decides() -> None:
    assert layer_of([GUNICORN, FLASK, SPECTREE, VIEW, QUERY]) == "db: statements (BEGIN and the query)"
    assert layer_of([GUNICORN, FLASK, SPECTREE, VIEW]) == "views and service_core"
    assert layer_of([GUNICORN, FLASK, SPECTREE]) == "request validation"
    # pydantic is counted where it is called from: validating a request, or writing a response body
    assert layer_of([GUNICORN, FLASK, SPECTREE, PYDANTIC]) == "request validation"
    assert layer_of([GUNICORN, FLASK, VIEW, AS_JSON, PYDANTIC]) == "response bodies (as_json)"
    assert layer_of([GUNICORN, FLASK]) == "Flask and Werkzeug"
    assert layer_of(["main (x.py:1)"]) == OTHER


def test_shares_leave_idle_threads_out_and_sum_to_one() -> None:
    lines = raw(
        ([GUNICORN, FLASK, VIEW, QUERY], 6),
        ([GUNICORN, FLASK, VIEW, PING], 3),
        ([GUNICORN, FLASK], 1),
        (["ThreadWorker.run (gunicorn/workers/gthread.py:427)", "wait_for_and_dispatch_events (x.py:1)"], 50),
        (["Thread.run (threading.py:982)", "_worker (concurrent/futures/thread.py:81)"], 40),
    )
    assert frames_of(lines[0]) == ([GUNICORN, FLASK, VIEW, QUERY], 6)
    assert frames_of("f (x.py:1);g (a name cut by a line break") is None and frames_of("") is None
    assert shares(lines) == {
        "db: statements (BEGIN and the query)": 0.6,
        "db: pre-ping SELECT 1": 0.3,
        "Flask and Werkzeug": 0.1,
    }
    assert shares([]) == {}


def test_real_py_spy_output_is_read_as_expected(tmp_path: Path) -> None:
    """py-spy's own raw format (paths relative to sys.path), from a process whose hot function lives in a
    package whose name ends in `gunicorn`."""
    package = tmp_path / "fake_gunicorn"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "busy.py").write_text("def handle():\n    while True:\n        sum(range(1000))\n")
    program = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from fake_gunicorn import busy
        busy.handle()
    """)
    process = subprocess.Popen([sys.executable, "-c", program])
    try:
        time.sleep(0.5)
        out = tmp_path / "raw.txt"
        done = subprocess.run(
            [py_spy(), "record", "--pid", str(process.pid), "--duration", "1", "--format", "raw", "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        process.kill()
        process.wait()
    if done.returncode != 0 and "Permission" in done.stderr:
        pytest.skip(f"py-spy may not read other processes here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    measured = shares(out.read_text().splitlines())
    assert measured.get("gunicorn (HTTP parsing, sockets)", 0) > 0.9, (measured, out.read_text()[:300])
