"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of python-telegram-bot."""

from __future__ import annotations

import asyncio
import json
import re
import select
import socket
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.helpers.bot_api_methods import BotApiMethods
from tests.helpers.bot_api_wire import FORBIDDEN, JSON, ApiError, Call, TelegramHtml, decode_params

__all__ = ["ApiError", "Call", "FakeBotApi", "TelegramHtml"]

PATH_RE = re.compile(r"^/bot([^/]+)/(\w+)$")
DROP, HANG = "drop", "hang"  # faults: hang up without answering / answer never (client times out)
HOLD_POLL = 0.05  # seconds between checks whether a held call's client is still there


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive (httpx reuses connections); every answer is JSON."""

    protocol_version, timeout = "HTTP/1.1", 30
    disable_nagle_algorithm = True  # headers and body are two writes: avoid ~40 ms stalls
    server: _Server

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, payload = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if match := PATH_RE.match(url.path):
            params = decode_params(self.headers.get("Content-Type", ""), body, url.query)
            answer = self.server.api.handle(match[1], match[2], params, self.client_gone)
            if answer is None:  # dropped: close the connection without a response
                self.close_connection = True
                return
            status, payload = answer
        # ASCII JSON, as Telegram sends it: lone surrogates travel as \udXXX escapes.
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST

    def client_gone(self) -> bool:
        """True once the client closed its end (gave up waiting, or its process died)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads, block_on_close = True, False
    api: FakeBotApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up (PTB cancels its long poll on stop) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeBotApi(BotApiMethods):
    """In-memory Bot API behind a threaded HTTP server; records calls, serves queued updates."""

    def __init__(self, token: str = "777000111:TEST-TOKEN", bot_user: JSON | None = None,
                 max_poll_timeout: float = 1.0,
                 can_read_all_group_messages: bool = False) -> None:  # fmt: skip
        """can_read_all_group_messages: getMe's field, False = group privacy mode on."""
        self.token, self.max_poll_timeout = token, max_poll_timeout  # token: a handy default
        self.bot_user: JSON = bot_user or {"id": 777000111, "is_bot": True,
            "first_name": "Trợ lý CQS", "username": "CqsHaiPhongBot", "can_join_groups": True,
            "can_read_all_group_messages": can_read_all_group_messages,
            "supports_inline_queries": True}  # fmt: skip
        self.calls: list[Call] = []
        self.updates: list[JSON] = []  # not yet confirmed by a getUpdates offset
        self._raw: set[int] = set()  # ids of push_raw updates: served whatever allowed_updates
        self.messages: dict[tuple[Any, int], JSON] = {}  # (chat id, message_id) -> Message
        self.chats: dict[Any, JSON] = {}
        self.commands: dict[str, list[JSON]] = {}  # json [scope, language_code] -> commands
        self.open_queries: set[str] = set()  # callback/inline query ids not yet answered
        self.handlers: dict[str, Callable[[JSON], Any]] = {}  # extra/overridden methods (lower)
        self.webhook_url = ""
        self._next_update_id, self._next_message_id = 1, 10_000  # builders' ids stay below
        self._faults: dict[str, deque[ApiError | float | str]] = defaultdict(deque)
        self._held: set[str] = set()  # methods whose calls wait for release() (lower case)
        self.dropped: list[Call] = []  # calls hung up on or abandoned by their client: not run
        self._cond, self._stopping = threading.Condition(), False
        self._server: _Server | None = None

    def start(self, port: int = 0) -> FakeBotApi:
        """Listen on 127.0.0.1 (port 0: any free one) in a daemon thread."""
        self._stopping, self._server = False, _Server(("127.0.0.1", port), _Handler)
        self._server.api = self
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Wake pending long polls, stop serving and close the listening socket."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeBotApi:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    @property
    def port(self) -> int:
        """The listening port (after start())."""
        assert self._server is not None, "FakeBotApi is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder().base_url(...) or TELEGRAM_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/bot"

    def push_update(self, update: JSON) -> JSON:
        """Queue an update for getUpdates (update_id assigned if missing); returns it."""
        with self._cond:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
            for kind, body in update.items():
                msg = body.get("message") if kind == "callback_query" else body
                if isinstance(msg, dict) and "message_id" in msg and "chat" in msg:
                    self.chats.setdefault(msg["chat"]["id"], msg["chat"])
                    self.messages[(msg["chat"]["id"], msg["message_id"])] = msg
                if kind in ("callback_query", "inline_query"):
                    self.open_queries.add(str(body["id"]))
            self.updates.append(update)
            self._cond.notify_all()
        return update

    def push_raw(self, update: JSON) -> JSON:
        """Queue `update` exactly as given (malformed is fine); only a missing update_id is
        assigned. Served even when its kind is not in allowed_updates; returns it."""
        with self._cond:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id = max(self._next_update_id, int(update["update_id"])) + 1
            self._raw.add(update["update_id"])
            self.updates.append(update)
            self._cond.notify_all()
        return update

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1,
                  description: str | None = None) -> None:  # fmt: skip
        """Make the next call to `method` fail (queued); 429 carries parameters.retry_after."""
        defaults = {429: f"Too Many Requests: retry after {retry_after}", 400: "Bad Request",
                    403: FORBIDDEN, 500: "Internal Server Error", 502: "Bad Gateway",
                    503: "Service Unavailable", 504: "Gateway Timeout"}  # fmt: skip
        retry = {"retry_after": retry_after} if status == 429 else None
        self._fault(method, ApiError(status, description or defaults.get(status, "Error"), retry))

    def delay_next(self, method: str, seconds: float) -> None:
        """Make the next call to `method` answer only after `seconds` (queued with failures)."""
        self._fault(method, float(seconds))

    def drop_next(self, method: str) -> None:
        """Make the next call to `method` hang up without an answer (not run), queued."""
        self._fault(method, DROP)

    def hang_next(self, method: str) -> None:
        """Make the next call to `method` never answer (not run) until its client gives up."""
        self._fault(method, HANG)

    def outage(self, method: str, fault: str | int, count: int, retry_after: int = 1) -> None:
        """The next `count` calls to `method` fail: an HTTP status (429 carries retry_after),
        "drop" (connection closed) or "hang" (no answer until the client times out)."""
        for _ in range(count):
            if fault in (DROP, HANG):
                self._fault(method, str(fault))
            else:
                self.fail_next(method, int(fault), retry_after=retry_after)

    def hold(self, method: str) -> None:
        """Calls to `method` wait unanswered until release(); one whose client goes away
        meanwhile (timeout, killed process) is dropped without being run."""
        with self._cond:
            self._held.add(method.lower())

    def release(self, method: str) -> None:
        """Let held calls to `method` (and later ones) run."""
        with self._cond:
            self._held.discard(method.lower())
            self._cond.notify_all()

    def _fault(self, method: str, fault: ApiError | float | str) -> None:
        with self._cond:
            self._faults[method.lower()].append(fault)

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls to `method` (case-insensitive), oldest first."""
        with self._cond:
            return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_texts(self, chat_id: Any = None) -> list[str]:
        """`text` of every sendMessage call, optionally only those to `chat_id`."""
        calls = self.calls_to("sendMessage")
        return [
            c.params.get("text", "") for c in calls if chat_id in (None, c.params.get("chat_id"))
        ]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Poll until `count` calls to `method` are recorded; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while len(calls := self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(self._timed_out(method, count))
            await asyncio.sleep(0.01)
        return calls

    def wait_for_sync(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Blocking wait_for, for threads and subprocess-driven tests."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                raise AssertionError(self._timed_out(method, count))
            return self.calls_to(method)

    def _timed_out(self, method: str, count: int) -> str:
        return f"expected {count} call(s) to {method}; recorded: {[c.method for c in self.calls]}"

    def handle(self, token: str, method: str, params: JSON,
               gone: Callable[[], bool] = lambda: False) -> tuple[int, JSON] | None:  # fmt: skip
        """Record the call, apply queued faults, run the method: (HTTP status, body), or
        None to hang up without an answer. `gone` tells whether the client went away."""
        key, call = method.lower(), Call(method, params, token)
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
            fault = self._faults[key].popleft() if self._faults[key] else None
        if isinstance(fault, float):
            time.sleep(fault)
        if fault == DROP or not self._wait_held(key, gone, fault == HANG):
            with self._cond:
                self.dropped.append(call)
            return None
        with self._cond:
            try:
                if isinstance(fault, ApiError):
                    raise fault
                return 200, {"ok": True, "result": self._run(key, params)}
            except ApiError as error:
                return error.payload["error_code"], error.payload
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                return 400, ApiError(400, f"Bad Request: invalid parameters: {error!r}").payload

    def _wait_held(self, key: str, gone: Callable[[], bool], hang: bool) -> bool:
        """Wait while `key` is held (or forever when hanging); False if the client went away."""
        with self._cond:
            if not hang and key not in self._held:
                return True  # the usual case: no wait between recording a call and running it
            while (hang or key in self._held) and not self._stopping:
                if gone():
                    return False
                self._cond.wait(HOLD_POLL)
        return not hang and not gone()
