"""users within its memory: argon2's memory per log-in, gunicorn's concurrent log-ins and the pod's limit agree.

An argon2 hash holds `memory_cost` KiB while it runs, and each gunicorn worker runs up to `threads` requests at
once, so a users pod's worst case is workers × threads log-ins hashing together. Measured here: real gunicorn
with the pod's settings, a real PostgreSQL, and the limit read from the rendered minikube manifest.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import requests
from argon2 import PasswordHasher, Type, extract_parameters, profiles
from flask import Flask
from flask.testing import FlaskClient
from kubernetes.utils import parse_quantity
from sqlalchemy import select, update

from registry import ROOT
from scripts.delivery import render
from scripts.stack.service_process import ServiceProcess, free_port, gunicorn_command, service_env
from service_core import db
from tests.support.manifests import find, load
from users import credentials
from users.models import User

# The measured peak may use at most this share of the limit. The other quarter is for what the kernel charges
# the pod's cgroup beyond its processes' RSS (page cache of the files under /tmp: metrics and worker
# heartbeats; socket buffers), and for the image's Python differing from the one measured here. Summing each
# process's own peak is itself on the safe side: a page shared by several processes counts in each, and the
# peaks add up even if they happened at different moments.
LIMIT_SHARE = 0.75
# OWASP Password Storage Cheat Sheet, "Argon2id": the equivalent minimum configurations, (KiB, iterations),
# parallelism 1 (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html).
OWASP_MINIMUMS = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))
ROUNDS = 6  # log-ins per client
MIB = 2**20


def pod_container() -> dict:
    """The users app container, as the minikube environment renders it."""
    docs = load(render.kustomize(render.GITOPS / "envs" / "minikube" / "users"))
    pod = find(docs, "Deployment", "users")["spec"]["template"]["spec"]
    return next(container for container in pod["containers"] if container["name"] == "app")


def gunicorn_settings(env: dict[str, str]) -> dict[str, str]:
    """gunicorn's own resolved configuration (`--print-config`) under `env`."""
    command = [*gunicorn_command("users:create_app()", "127.0.0.1", 0), "--print-config"]
    printed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    return dict(re.findall(r"^(\w+)\s+= (.*)$", printed.stdout, re.MULTILINE))


def peak_rss(pid: int) -> int:
    """The process's high-water mark of resident memory, in bytes (VmHWM of /proc/<pid>/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB$", status, re.MULTILINE).group(1)) * 1024


def log_in_together(url: str, clients: int) -> list[float]:
    """`clients` users, each logging in ROUNDS times on a new connection, all at once; each log-in's seconds."""
    names = [f"mem-{uuid.uuid4().hex[:12]}" for _ in range(clients)]
    bodies = [{"username": name, "password": "s3cret-pw", "email": f"{name}@example.com"} for name in names]
    for body in bodies:
        assert requests.post(f"{url}/users", json=body, timeout=30).status_code == 201

    def client(body: dict[str, str]) -> list[float]:
        seconds = []
        for _ in range(ROUNDS):
            response = requests.post(f"{url}/users/auth", json=body, timeout=60)
            assert response.status_code == 200
            seconds.append(response.elapsed.total_seconds())
        return seconds

    with ThreadPoolExecutor(clients) as pool:
        return sorted(itertools.chain.from_iterable(pool.map(client, bodies)))


def test_a_users_pod_under_concurrent_log_ins_stays_under_its_memory_limit(
    migrated_database: Callable[..., str],
) -> None:
    container = pod_container()
    limit = int(parse_quantity(container["resources"]["limits"]["memory"]))
    pod_env = {item["name"]: item["value"] for item in container.get("env", []) if "value" in item}
    env = service_env(
        "users",
        migrated_database("users", "memory"),
        **{name: value for name, value in pod_env.items() if name.startswith("GUNICORN_")},
    )
    settings = gunicorn_settings(env)
    workers, threads = int(settings["workers"]), int(settings["threads"])
    with ServiceProcess("users", free_port(), env) as server:
        master = psutil.Process(server.process.pid)
        pids = sorted(child.pid for child in master.children())
        assert len(pids) == workers
        idle = {pid: peak_rss(pid) for pid in pids}
        # Twice as many clients as threads, so that every worker's threads are all busy however the kernel
        # spreads the connections; more could not raise the peak, a worker runs `threads` requests at most.
        seconds = log_in_together(server.url, 2 * workers * threads)
        assert sorted(child.pid for child in master.children()) == pids  # no restart reset a high-water mark
        peaks = {pid: peak_rss(pid) for pid in pids}
        master_peak = peak_rss(master.pid)
    total = master_peak + sum(peaks.values())
    hash_bytes = credentials.PARAMETERS.memory_cost * 1024
    figures = (
        f"{workers} workers x {threads} threads, argon2 {mib(hash_bytes)} MiB: master {mib(master_peak)} MiB, "
        f"workers idle {[mib(v) for v in idle.values()]} MiB, peak {[mib(v) for v in peaks.values()]} MiB; "
        f"pod {mib(total)} MiB of {mib(limit)} MiB; log-in p50 {seconds[len(seconds) // 2] * 1000:.0f} ms, "
        f"max {seconds[-1] * 1000:.0f} ms under {2 * workers * threads} clients"
    )
    print(figures)
    # The load did what it claims: each worker hashed `threads` passwords at once at some moment.
    assert all(peaks[pid] - idle[pid] >= (threads - 1) * hash_bytes for pid in pids), figures
    assert total <= LIMIT_SHARE * limit, figures


def mib(size: int) -> int:
    return round(size / MIB)


def test_the_argon2_parameters_meet_owasps_minimum() -> None:
    parameters = credentials.PARAMETERS
    assert parameters.type is Type.ID and parameters.parallelism >= 1
    assert any(
        parameters.memory_cost >= memory and parameters.time_cost >= iterations for memory, iterations in OWASP_MINIMUMS
    ), parameters


# --- hashes made with other parameters still log in, and are rehashed --------------------------------------

OLD_HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)  # argon2-cffi's default: 64 MiB


def stored_hash(app: Flask, user_id: str) -> str:
    with app.app_context():
        return db.session().scalar(select(User.password_hash).where(User.id == user_id))


def store_hash(app: Flask, user_id: str, password_hash: str) -> None:
    with app.app_context():
        db.session().execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
        db.session().commit()


@pytest.fixture
def old_user(users: FlaskClient, users_app: Flask) -> str:
    """A user whose password was hashed with argon2-cffi's default parameters, before this service's own."""
    body = {"username": "old", "password": "s3cret-pw", "email": "old@example.com"}
    user_id = users.post("/users", json=body).json["id"]
    store_hash(users_app, user_id, OLD_HASHER.hash("s3cret-pw"))
    assert OLD_HASHER.check_needs_rehash(stored_hash(users_app, user_id)) is False
    return user_id


def test_an_old_hash_logs_in_and_is_rehashed_with_the_current_parameters(
    users: FlaskClient, users_app: Flask, old_user: str
) -> None:
    old = stored_hash(users_app, old_user)
    assert users.post("/users/auth", json={"username": "old", "password": "s3cret-pw"}).status_code == 200
    new = stored_hash(users_app, old_user)
    assert new != old and extract_parameters(new) == credentials.PARAMETERS
    assert users.post("/users/auth", json={"username": "old", "password": "s3cret-pw"}).status_code == 200
    assert stored_hash(users_app, old_user) == new  # already current: not hashed again


def test_a_wrong_password_leaves_an_old_hash_alone(users: FlaskClient, users_app: Flask, old_user: str) -> None:
    old = stored_hash(users_app, old_user)
    assert users.post("/users/auth", json={"username": "old", "password": "wrong"}).status_code == 404
    assert stored_hash(users_app, old_user) == old
