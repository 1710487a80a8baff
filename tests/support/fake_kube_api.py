"""A tiny stand-in for the Kubernetes API server on a free loopback port, and a kubeconfig for it.

The kubeconfig's current context points nowhere and only the `marketplace` context reaches the server, so
code that follows the current context instead of naming its own fails.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers JSON (or plain text, for a str body)."""

    def reply(self, status: int, body: Any) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(text.encode())))
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], kubeconfig: Path) -> Iterator[Path]:
    """Serves `handler` until the block ends; writes and yields a kubeconfig whose `marketplace` context uses it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "other",
                "clusters": [{"name": "fake", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [
                    {"name": "marketplace", "context": {"cluster": "fake", "user": "u"}},
                    {"name": "other", "context": {"cluster": "nowhere", "user": "u"}},
                ],
            }
        )
    )
    try:
        yield kubeconfig
    finally:
        server.shutdown()
