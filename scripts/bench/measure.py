"""`make bench` (`python -m scripts.bench`): the load benchmark, over real HTTP against a local stack of its own.

Every endpoint is measured at the same fixed concurrency and under the same gunicorn settings as a
baseline measured in the same run (a minimal Flask + SQLAlchemy app doing one primary-key lookup), and
reported as a ratio to it. Then the latency of `GET /posts?route=` with 1,000 and with 100,000 posts in
the table. Figures go to stdout and to build/bench.json; any error during the load fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import requests
from psycopg2.extras import execute_values

from registry import ROOT, START_ORDER
from scripts.bench.baseline import seed
from scripts.bench.load import RequestFactory, Result, median_latency_ms, run_load
from scripts.stack.local_stack import LocalStack, running_stack
from scripts.stack.service_process import ServiceProcess, free_port, service_env

SMALL_TABLE, LARGE_TABLE = 1_000, 100_000
POSTS_PER_ROUTE = 10  # what one `GET /posts?route=` returns, whatever the table size
LATENCY_SAMPLES = 300


def in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat().replace("+00:00", "Z")


def start_baseline(stack: LocalStack, log: object) -> ServiceProcess:
    """The baseline app, under the services' own gunicorn settings, on a database of its own."""
    uri = stack.postgres.ensure_database("baseline", "baseline", uuid.uuid4().hex)
    seed(uri)
    env = service_env("users", uri)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env["PYTHONPATH"]])
    baseline = ServiceProcess(
        "baseline", free_port(), env, app="scripts.bench.baseline:create_app()", ready_path="/item/1"
    )
    baseline.start(log)
    baseline.wait_ready()
    return baseline


def fill_posts(database_uri: str, total: int, route_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Top the posts table up to `total` rows directly (through the API it would take minutes):
    `POSTS_PER_ROUTE` on `route_id`, and every other route with as many."""
    now = datetime.now(UTC)
    with psycopg2.connect(database_uri) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM posts")
        existing = cursor.fetchone()[0]
        rows = [
            (
                str(uuid.uuid4()),
                str(route_id if index < POSTS_PER_ROUTE else uuid.UUID(int=index // 10 + 1)),
                str(user_id),
                now + timedelta(days=30),
                now,
                now,
            )
            for index in range(existing, total)
        ]
        execute_values(
            cursor,
            "INSERT INTO posts (id, route_id, user_id, expire_at, created_at, updated_at) VALUES %s",
            rows,
            page_size=5_000,
        )
        cursor.execute("ANALYZE posts")


def log_in(users_url: str) -> tuple[str, dict[str, str]]:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    body = {"username": name, "password": "bench-pw", "email": f"{name}@example.com"}
    requests.post(f"{users_url}/users", json=body, timeout=10).raise_for_status()
    session = requests.post(f"{users_url}/users/auth", json=body, timeout=10).json()
    return session["id"], {"Authorization": f"Bearer {session['token']}"}


def line(name: str, result: Result, baseline: Result | None = None) -> str:
    ratio = f"  {result.rps / baseline.rps:5.2f} x baseline" if baseline else ""
    return (
        f"{name:40} {result.rps:7.0f} req/s  p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
        f"{ratio}  errors {result.errors}{f' {result.error_statuses}' if result.errors else ''}"
    )


def measure(stack: LocalStack, baseline_url: str, concurrency: int, seconds: float) -> dict[str, object]:
    user_id, auth = log_in(stack.url("users"))
    posts = stack.url("posts")
    route_id = uuid.uuid4()
    fill_posts(stack.database_uris["posts"], SMALL_TABLE, route_id, uuid.UUID(user_id))
    post_id = requests.get(
        f"{posts}/posts", params={"route": str(route_id), "limit": 1}, headers=auth, timeout=10
    ).json()[0]["id"]

    def load(make: RequestFactory, expect: int) -> Result:
        return run_load(make, expect=expect, concurrency=concurrency, seconds=seconds)

    print(f"{concurrency} concurrent keep-alive clients, {seconds:.0f} s per endpoint, same gunicorn settings")
    baseline = load(lambda: ("GET", f"{baseline_url}/item/1", {}, None), 200)
    print(line("baseline (Flask + SQLAlchemy PK lookup)", baseline))
    loads: dict[str, tuple[RequestFactory, int]] = {
        "GET /posts/{id}": (lambda: ("GET", f"{posts}/posts/{post_id}", auth, None), 200),
        "GET /posts?route=": (lambda: ("GET", f"{posts}/posts?route={route_id}", auth, None), 200),
        "POST /posts": (
            lambda: ("POST", f"{posts}/posts", auth, {"routeId": str(uuid.uuid4()), "expireAt": in_days(30)}),
            201,
        ),
        "GET /users/me": (lambda: ("GET", f"{stack.url('users')}/users/me", auth, None), 200),
    }
    endpoints = {}
    for name, (make, expect) in loads.items():
        result = load(make, expect)
        print(line(name, result, baseline))
        endpoints[name] = {**result.as_dict(), "ratio_to_baseline": result.rps / baseline.rps}

    # The same route (10 posts) behind the filter, with 1,000 and then 100,000 rows in the table.
    requests.post(f"{posts}/posts/reset", timeout=10)  # drop what the load above added
    by_route: RequestFactory = lambda: ("GET", f"{posts}/posts?route={route_id}", auth, None)  # noqa: E731
    fill_posts(stack.database_uris["posts"], SMALL_TABLE, route_id, uuid.UUID(user_id))
    small = median_latency_ms(by_route, expect=200, count=LATENCY_SAMPLES)
    fill_posts(stack.database_uris["posts"], LARGE_TABLE, route_id, uuid.UUID(user_id))
    large = median_latency_ms(by_route, expect=200, count=LATENCY_SAMPLES)
    print(
        f"GET /posts?route= median latency: {small:.2f} ms at {SMALL_TABLE:,} rows, {large:.2f} ms at "
        f"{LARGE_TABLE:,} rows: {large / small:.2f} x"
    )
    return {
        "baseline": baseline.as_dict(),
        "endpoints": endpoints,
        "route_filter_latency": {
            "rows": [SMALL_TABLE, LARGE_TABLE],
            "median_ms": [small, large],
            "ratio": large / small,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args(argv)

    state = ROOT / "build" / "bench-stack"  # a stack of its own: the benchmark never touches .local/
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    stack = LocalStack(state, ports={service: free_port() for service in START_ORDER}, postgres_port=free_port())
    with (state / "services.log").open("ab") as log, running_stack(stack, log):
        baseline = start_baseline(stack, log)
        try:
            figures = measure(stack, baseline.url, args.concurrency, args.seconds)
        finally:
            baseline.stop()
    figures["settings"] = {
        "concurrency": args.concurrency,
        "seconds_per_endpoint": args.seconds,
        "gunicorn": "service_core.gunicorn_conf, for the services and the baseline alike",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print(f"Figures written to {args.out}")
    errors = figures["baseline"]["errors"] + sum(entry["errors"] for entry in figures["endpoints"].values())
    return 1 if errors else 0
