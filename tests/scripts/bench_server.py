"""A tiny HTTP/1.1 keep-alive server for the benchmark's load generators, which records every request it reads.

`/answer/<status>` (any query) answers that status; `/hang-up` closes the connection without answering.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.support.fake_kube_api import QuietHandler


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class RecordingHandler(QuietHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as both load generators expect
    received: list[Received]  # one list per server: recording_server() gives each its own subclass

    def answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append(Received(self.command, self.path, dict(self.headers), body))
        path = urlsplit(self.path).path
        if path == "/hang-up":
            self.close_connection = True
            return
        self.reply(int(path.removeprefix("/answer/")), {"path": self.path})

    do_GET = do_POST = answer


@contextmanager
def recording_server() -> Iterator[tuple[str, list[Received]]]:
    """(its base URL, the requests it has read so far) while the block runs."""
    received: list[Received] = []
    handler = type("Handler", (RecordingHandler,), {"received": received})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", received
    finally:
        httpd.shutdown()
        httpd.server_close()
