"""Keep-alive clients are spread over gunicorn's workers: each worker listens on its own socket (SO_REUSEPORT)
and the kernel hashes new connections across them, measured on a real gunicorn (the users service)."""

from __future__ import annotations

import socket
import time
from collections import Counter
from urllib.parse import urlsplit

import psutil


def listeners(port: int, at_least: int = 2) -> set[int]:
    """The processes listening on `port`, once `at_least` do: the service answers as soon as its first worker
    is up, and a worker opens its socket only when it has booted."""
    deadline = time.monotonic() + 10
    while True:
        pids = {c.pid for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
        if len(pids) >= at_least or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def test_each_worker_listens_on_a_socket_of_its_own(users_server: str) -> None:
    port = urlsplit(users_server).port
    pids = listeners(port)
    masters = {psutil.Process(pid).ppid() for pid in pids}
    assert len(pids) == 2, pids  # service_core.gunicorn_conf's two workers, the master not among them
    assert len(masters) == 1 and not masters & pids


def test_connections_opened_together_reach_both_workers(users_server: str) -> None:
    """64 idle keep-alive connections at once: on a shared socket one worker could take them all; hashed,
    the chance that one worker gets fewer than 16 is below 1 in 10,000."""
    address = urlsplit(users_server)
    assert len(listeners(address.port)) == 2
    clients = [socket.create_connection((address.hostname, address.port)) for _ in range(64)]
    try:
        ours = {client.getsockname() for client in clients}
        deadline = time.monotonic() + 15
        while True:  # until the workers have accepted all 64 (a busy machine delays it)
            per_worker = Counter(
                c.pid
                for c in psutil.net_connections("tcp")
                if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == address.port and tuple(c.raddr) in ours
                if c.pid is not None  # accepted: one still in a worker's queue belongs to no process yet
            )
            if sum(per_worker.values()) == 64 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert sum(per_worker.values()) == 64 and min(per_worker.values()) >= 16, per_worker
    finally:
        for client in clients:
            client.close()
