"""A small HTTP server on 127.0.0.1 serving canned pages, feeds and failures to web imports."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import NamedTuple

HTML = "text/html; charset=utf-8"


class Reply(NamedTuple):
    """What one path answers; tests may swap replies between requests."""

    content_type: str
    body: bytes
    status: int = 200
    delay: float = 0.0
    location: str | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: WebServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (the timeout tests) is expected; say nothing."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        reply = owner.enter(self.path, self.headers.get("User-Agent", ""))
        try:
            time.sleep(reply.delay)
        finally:
            # Before the reply: once its last byte is out the client may start the next
            # request, which this thread's bookkeeping would otherwise still count.
            owner.leave()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.location:
            self.send_header("Location", reply.location)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows stderr of failing tests, where request logs only add noise."""


class WebServer:
    """`routes` maps a path (with its query) to a Reply or a (content-type, bytes) pair."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | tuple[str, bytes]] = {}
        self.requests: list[str] = []
        self.user_agents: set[str] = set()
        self.most_at_once = 0
        self._active = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        # A short poll keeps each test's shutdown quick (the default waits up to 0.5 s).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def enter(self, path: str, user_agent: str) -> Reply:
        """Count the request and find its reply (404 for unknown paths)."""
        with self._lock:
            self.requests.append(path)
            self.user_agents.add(user_agent)
            self._active += 1
            self.most_at_once = max(self.most_at_once, self._active)
        found = self.routes.get(path)
        if found is None:
            return Reply("text/plain; charset=utf-8", b"not found", status=404)
        return found if isinstance(found, Reply) else Reply(*found)

    def leave(self) -> None:
        with self._lock:
            self._active -= 1

    def __enter__(self) -> WebServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
