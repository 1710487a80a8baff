"""The local stack's own commands (`make up` / `make down`: `python -m scripts.stack`), run for real on free ports
and a temp folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from registry import PORTS, ROOT
from scripts.stack.local_stack import LocalStack, StackError
from scripts.stack.service_process import free_port


@pytest.fixture
def stack_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    ports = {service: free_port() for service in PORTS}
    env = {
        **os.environ,
        "LOCAL_STACK_DIR": str(tmp_path / "state"),
        "LOCAL_POSTGRES_PORT": str(free_port()),
        "LOCAL_STACK_PORTS": ",".join(f"{name}={port}" for name, port in ports.items()),
    }
    yield env
    command(env, "down")  # whatever the test did, leave nothing running


def command(env: dict[str, str], name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.stack", name],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def processes_of(state: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "environ"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        environ = process.info["environ"] or {}
        if state in cmdline or environ.get("LOCAL_STACK_DIR") == state:
            found.append(process)
    return found


def test_up_down_up_keeps_the_data_and_leaves_no_process(stack_env: dict[str, str]) -> None:
    users = f"http://127.0.0.1:{stack_env['LOCAL_STACK_PORTS'].split(',')[0].split('=')[1]}"
    up = command(stack_env, "up")
    assert up.returncode == 0, up.stderr
    assert requests.get(f"{users}/users/ping", timeout=5).text == "pong"
    body = {"username": "kept", "password": "pw", "email": "kept@example.com"}
    assert requests.post(f"{users}/users", json=body, timeout=5).status_code == 201
    assert command(stack_env, "up").stdout.startswith("The local stack is already running")

    assert command(stack_env, "down").returncode == 0
    assert processes_of(stack_env["LOCAL_STACK_DIR"]) == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{users}/users/ping", timeout=2)

    assert command(stack_env, "up").returncode == 0
    assert requests.get(f"{users}/users/count", timeout=5).json() == {"count": 1}


def test_a_busy_port_is_one_plain_sentence(stack_env: dict[str, str], tmp_path: Path) -> None:
    ports = dict(item.split("=") for item in stack_env["LOCAL_STACK_PORTS"].split(","))
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(ports["posts"])))
        squatter.listen()
        with pytest.raises(StackError, match=rf"^Port\(s\) already in use: posts \({ports['posts']}\); stop"):
            LocalStack(tmp_path, ports={name: int(port) for name, port in ports.items()}).check_ports()
        up = command(stack_env, "up")
    assert up.returncode == 1
    [message] = up.stderr.strip().splitlines()
    assert "already in use" in message and "Traceback" not in up.stderr
