"""Request ids, one JSON log line per request, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid

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
access_log = logging.getLogger("access")


class JsonFormatter(logging.Formatter):
    """Each record one JSON object; `extra={"fields": {...}}` merges structured fields in."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": self.formatTime(record),
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


def _endpoint() -> str:
    # The rule, not the path: one series per route, whatever the ids.
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def init_observability(app: Flask, service: str) -> None:
    configure_logging()
    POOL_SIZE.labels(service).set(db.engine().pool.size() if hasattr(db.engine().pool, "size") else 0)

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        duration = time.perf_counter() - g.get("started", time.perf_counter())
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        endpoint = _endpoint()
        REQUESTS.labels(service, request.method, endpoint, str(response.status_code)).inc()
        LATENCY.labels(service, request.method, endpoint).observe(duration)
        POOL_IN_USE.labels(service).set(db.engine().pool.checkedout())
        # The path only: query strings and headers may carry ids or tokens.
        access_log.info(
            "request",
            extra={
                "fields": {
                    "service": service,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 2),
                    "request_id": request_id,
                }
            },
        )
        return response


def metrics_response() -> Response:
    """All workers' metrics when gunicorn runs several (multiprocess mode), else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
