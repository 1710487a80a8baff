"""One gunicorn setting measured: a local stack and the baseline app started under it, a warm-up run of each
endpoint, then rounds of (baseline run, endpoint run) pairs, then the latency at scale."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import requests

from registry import ROOT, START_ORDER
from scripts.bench.baseline import seed
from scripts.bench.cpu import cpu_between, own_cpu, postmaster_pid, tree_cpu
from scripts.bench.endpoints import Endpoint, in_days
from scripts.bench.generator import LoadGenerator
from scripts.bench.scale import SMALL_TABLE, fill_posts, route_filter_latency
from scripts.bench.stats import Pair, Run
from scripts.stack.local_stack import LocalStack, running_stack
from scripts.stack.service_process import ServiceProcess, free_port, service_env

# What each setting puts in the environment of every gunicorn, the baseline's included.
GUNICORN_VARIABLES = ("GUNICORN_WORKERS", "GUNICORN_THREADS")  # what service_core.gunicorn_conf reads
GUNICORN_SETTINGS: dict[str, dict[str, str]] = {
    "shipped": {},  # service_core.gunicorn_conf's own defaults
    "sync": {"GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "1"},  # at 1 thread gunicorn runs its sync worker
}
BASELINE = "baseline (Flask + SQLAlchemy PK lookup)"
WRITE_BASELINE = "baseline (Flask + SQLAlchemy INSERT)"
WARMUP_SECONDS = 1


@dataclass
class Measured:
    """An endpoint and the gunicorn master of the app that serves it."""

    endpoint: Endpoint
    app_pid: int


@dataclass
class SettingFigures:
    setting: str
    gunicorn_env: dict[str, str]
    pairs: list[Pair]
    min_ratios: dict[str, float]  # endpoint -> its target
    route_filter_latency: dict[str, object]


def start_baseline(stack: LocalStack, log: IO[bytes], gunicorn_env: dict[str, str]) -> ServiceProcess:
    """The baseline app, under the services' gunicorn settings, on a database of its own."""
    uri = stack.postgres.ensure_database("baseline", "baseline", uuid.uuid4().hex)
    seed(uri)
    env = service_env("users", uri, **gunicorn_env)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env["PYTHONPATH"]])
    baseline = ServiceProcess(
        "baseline", free_port(), env, app="scripts.bench.baseline:create_app()", ready_path="/item/1"
    )
    baseline.start(log)
    baseline.wait_ready()
    return baseline


@dataclass
class Poster:
    """The benchmark's user, its token, and the route its posts are on."""

    user_id: uuid.UUID
    auth: dict[str, str]
    route_id: uuid.UUID


def log_in(users_url: str) -> Poster:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    body = {"username": name, "password": "bench-pw", "email": f"{name}@example.com"}
    requests.post(f"{users_url}/users", json=body, timeout=10).raise_for_status()
    session = requests.post(f"{users_url}/users/auth", json=body, timeout=10).json()
    return Poster(uuid.UUID(session["id"]), {"Authorization": f"Bearer {session['token']}"}, uuid.uuid4())


def measured_endpoints(stack: LocalStack, poster: Poster) -> list[Measured]:
    """The endpoints measured against the baseline, all with a token, on a posts table of SMALL_TABLE rows."""
    posts, users, auth = stack.url("posts"), stack.url("users"), poster.auth
    fill_posts(stack.database_uris["posts"], SMALL_TABLE, poster.route_id, poster.user_id)
    listed = requests.get(
        f"{posts}/posts", params={"route": str(poster.route_id), "limit": 1}, headers=auth, timeout=10
    )
    post_id = listed.json()[0]["id"]
    posts_pid, users_pid = stack.processes["posts"].process.pid, stack.processes["users"].process.pid
    by_route = f"{posts}/posts?route={poster.route_id}"
    new_post = Endpoint("POST /posts", "POST", f"{posts}/posts", 201, auth, post_expire_at=in_days(30))
    return [
        Measured(Endpoint("GET /posts/{id}", "GET", f"{posts}/posts/{post_id}", 200, auth), posts_pid),
        Measured(Endpoint("GET /posts?route=", "GET", by_route, 200, auth, min_ratio=0.8), posts_pid),
        Measured(new_post, posts_pid),
        # The same create against a bare INSERT: both wait for the WAL flush at commit, which the read does not.
        Measured(replace(new_post, name="POST /posts, × the INSERT", baseline="write"), posts_pid),
        Measured(Endpoint("GET /users/me", "GET", f"{users}/users/me", 200, auth), users_pid),
    ]


def run_once(generator: LoadGenerator, measured: Measured, db_pid: int, seconds: int) -> Run:
    app_before, db_before, load_before = tree_cpu(measured.app_pid), tree_cpu(db_pid), own_cpu()
    result = generator.run(measured.endpoint, seconds)
    load_cpu = own_cpu() - load_before
    app_cpu, db_cpu = cpu_between(app_before, tree_cpu(measured.app_pid)), cpu_between(db_before, tree_cpu(db_pid))
    return Run(result, app_cpu, db_cpu, load_cpu)


def progress(pair: Pair) -> str:
    """One line per pair, printed as it is measured."""
    measured, baseline = pair.measured.result, pair.baseline.result
    errors = f"errors {measured.errors} {measured.error_statuses}" if measured.errors else "errors 0"
    if baseline.errors:
        errors += f", baseline errors {baseline.errors} {baseline.error_statuses}"
    return (
        f"  round {pair.round}  {pair.endpoint:26} {measured.rps:7.0f} req/s, baseline {baseline.rps:7.0f}: "
        f"{pair.ratio:4.2f} x  p99 {measured.p99_ms:6.1f} ms ({pair.p99_ratio:4.2f} x)  CPU per request: app "
        f"{pair.measured.per_request_ms(pair.measured.app_cpu_s):5.2f} ms, db "
        f"{pair.measured.per_request_ms(pair.measured.db_cpu_s):5.2f} ms, load "
        f"{pair.measured.per_request_ms(pair.measured.load_cpu_s):5.2f} ms  {errors}"
    )


def paired_rounds(
    generator: LoadGenerator,
    baselines: dict[str, Measured],
    endpoints: list[Measured],
    *,
    db_pid: int,
    runs: int,
    seconds: int,
    say: Callable[[str], object],
) -> list[Pair]:
    """A warm-up run of each, then `runs` rounds of: for each endpoint, a run of its baseline (`baselines`, by
    the endpoint's `baseline`) and right after it its own."""
    for measured in [*baselines.values(), *endpoints]:
        generator.run(measured.endpoint, WARMUP_SECONDS)
    pairs = []
    for round_number in range(1, runs + 1):
        for measured in endpoints:
            baseline = baselines[measured.endpoint.baseline]
            before = run_once(generator, baseline, db_pid, seconds)
            after = run_once(generator, measured, db_pid, seconds)
            pairs.append(Pair(round_number, measured.endpoint.name, before, after, baseline.endpoint.name))
            say(progress(pairs[-1]))
    return pairs


@dataclass
class BenchStack:
    """A running stack and baseline under one gunicorn setting: what is measured, and the database's pid."""

    stack: LocalStack
    poster: Poster
    baselines: dict[str, Measured]  # "read" and "write", as an Endpoint's `baseline` names them
    endpoints: list[Measured]
    db_pid: int


@contextlib.contextmanager
def bench_stack(setting: str, state: Path, say: Callable[[str], object] = print) -> Iterator[BenchStack]:
    """The whole stack and the baseline started under `setting` (a key of GUNICORN_SETTINGS), in `state`."""
    gunicorn_env = GUNICORN_SETTINGS[setting]
    state.mkdir(parents=True)
    ports = {service: free_port() for service in START_ORDER}
    stack = LocalStack(state, ports=ports, postgres_port=free_port(), extra_env=gunicorn_env)
    say(f"Setting {setting}: {gunicorn_env or 'service_core.gunicorn_conf as shipped'}, starting the stack")
    with (state / "services.log").open("ab") as log, running_stack(stack, log):
        baseline_app = start_baseline(stack, log, gunicorn_env)
        try:
            poster = log_in(stack.url("users"))
            baseline_pid = baseline_app.process.pid
            yield BenchStack(
                stack,
                poster,
                {
                    "read": Measured(Endpoint(BASELINE, "GET", f"{baseline_app.url}/item/1", 200), baseline_pid),
                    "write": Measured(Endpoint(WRITE_BASELINE, "POST", f"{baseline_app.url}/item", 201), baseline_pid),
                },
                measured_endpoints(stack, poster),
                postmaster_pid(stack.database_uris["posts"]),
            )
        finally:
            baseline_app.stop()


def measure_setting(
    setting: str,
    generator: LoadGenerator,
    *,
    runs: int,
    seconds: int,
    state: Path,
    say: Callable[[str], object] = print,
) -> SettingFigures:
    """Paired rounds of every endpoint, then the latency at scale, on a bench stack of `setting`."""
    with bench_stack(setting, state, say) as bench:
        pairs = paired_rounds(
            generator, bench.baselines, bench.endpoints, db_pid=bench.db_pid, runs=runs, seconds=seconds, say=say
        )
        poster = bench.poster
        latency = route_filter_latency(
            bench.stack.url("posts"), bench.stack.database_uris["posts"], poster.auth, poster.route_id, poster.user_id
        )
    return SettingFigures(
        setting,
        GUNICORN_SETTINGS[setting],
        pairs,
        min_ratios={m.endpoint.name: m.endpoint.min_ratio for m in bench.endpoints},
        route_filter_latency=latency,
    )
