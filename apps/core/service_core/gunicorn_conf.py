"""gunicorn settings shared by the containers and the local stack: `gunicorn -c python:service_core.gunicorn_conf`.

The bind address stays on the command line, where each caller sets it.
"""

import os
import shutil
import tempfile

# Metrics from every worker: prometheus_client reads this variable when it is first imported, so it
# is set here, in the master, before any worker imports the app.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"prometheus-{os.getpid()}")
)
shutil.rmtree(_metrics_dir, ignore_errors=True)
os.makedirs(_metrics_dir, exist_ok=True)

# workers x threads requests at once: in users each can hold an argon2 hash (19 MiB) in memory, and
# tests/services/test_users_memory.py checks that the pod's peak stays under its memory limit.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Each worker listens on a socket of its own (SO_REUSEPORT), and the kernel hashes every new connection to
# one of them. On one shared socket, whichever worker woke first accepted: keep-alive clients that connected
# together often all landed on one worker, which then served alone (measured: 8 wrk connections, 12 runs,
# 6 with all 8 on one worker; with this, 0). The local stack refuses a port that is already in use, as two
# processes of one user could otherwise share it.
reuse_port = True
worker_tmp_dir = tempfile.gettempdir()  # the root filesystem is read-only in the cluster
graceful_timeout = 20  # SIGTERM: in-flight requests finish before the worker exits
keepalive = 5
accesslog = None  # the app logs one JSON line per request itself
# gunicorn's control socket defaults to one path under $HOME: shared by every service on a host, and
# unwritable on a read-only root filesystem.
control_socket_disable = True


def child_exit(_server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
