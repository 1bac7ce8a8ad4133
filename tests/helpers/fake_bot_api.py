"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of python-telegram-bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import select
import socket
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlsplit

JSON = dict[str, Any]
MAX_TEXT, MAX_CAPTION, MAX_ALERT = 4096, 1024, 200  # UTF-16 code units, as Telegram counts
MESSAGE_TOO_LONG = "Bad Request: MESSAGE_TOO_LONG"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
FORBIDDEN = "Forbidden: bot was blocked by the user"
BAD_COMMAND = "Bad Request: BOT_COMMAND_INVALID"
BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NO_POLLING = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
             "tg-spoiler", "span", "blockquote", "tg-emoji"}  # fmt: skip
# Form fields PTB sends as raw strings; every other form value is JSON-encoded (ints, dicts).
RAW_FIELDS = {"text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "url",
              "next_offset", "secret_token", "action", "language_code", "description", "name",
              "short_description", "title", "inline_message_id", "business_connection_id",
              "message_effect_id", "emoji", "ip_address"}  # fmt: skip
GIFTS = "unlimited_gifts limited_gifts unique_gifts premium_subscription gifts_from_channels"
CHAT_FULL_INFO = {"accent_color_id": 0, "max_reaction_count": 11,
                  "accepted_gift_types": dict.fromkeys(GIFTS.split(), True)}  # fmt: skip
ATTR = r"""\s+[\w-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
HTML_TOKEN_RE = re.compile(  # a whole tag (an `&` inside attributes is fine), an entity, or junk
    rf"(?P<tag></?[a-z][\w-]*(?:{ATTR})*\s*>)|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|(?P<bad>[<&])",
    re.IGNORECASE,
)
PATH_RE = re.compile(r"^/bot([^/]+)/(\w+)$")
DROP, HANG = "drop", "hang"  # faults: hang up without answering / answer never (client times out)
HOLD_POLL = 0.05  # seconds between checks whether a held call's client is still there


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: Telegram's unit for text limits and entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class ApiError(Exception):
    """A Bot API error answer (HTTP status, description, optional `parameters`)."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.payload: JSON = {"ok": False, "error_code": status, "description": description}
        self.payload |= {"parameters": parameters} if parameters else {}


def require(condition: Any, description: str, status: int = 400) -> None:
    """Raise ApiError(status, description) unless `condition` holds."""
    if not condition:
        raise ApiError(status, description)


@dataclass
class Call:
    """One recorded Bot API request: method name as sent, decoded params, token from the URL."""

    method: str
    params: JSON
    token: str


class TelegramHtml(HTMLParser):
    """Checks parse_mode=HTML like Telegram (ApiError 400) and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.open_tags = "", list[str]()

    def fail(self, why: str) -> NoReturn:
        raise ApiError(400, f"Bad Request: can't parse entities: {why}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS or (tag == "span" and ("class", "tg-spoiler") not in attrs):
            self.fail(f'Unsupported start tag "{tag}"')
        self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.fail(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        opened = self.open_tags.pop() if self.open_tags else None
        if opened != tag:
            self.fail(f'Unmatched end tag "{tag}", expected "</{opened}>"')

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_comment(self, data: str) -> None:
        self.fail("Unsupported HTML comment or declaration")

    handle_decl = handle_pi = unknown_decl = handle_comment

    def parse(self, raw: str) -> str:
        """Visible text; every `<` must open a tag, every `&` an entity, tags must balance."""
        for token in HTML_TOKEN_RE.finditer(raw):
            if token["bad"]:
                offset = len(raw[: token.start()].encode())
                self.fail(f'Unexpected "{token[0]}" (not a tag or entity) at byte offset {offset}')
        self.feed(raw)
        self.close()
        if self.open_tags:
            self.fail(f'Can\'t find end tag corresponding to start tag "{self.open_tags[-1]}"')
        return self.text


def decode_params(content_type: str, body: bytes, query: str = "") -> JSON:
    """JSON, urlencoded (PTB's way: JSON-encoded values) or multipart body, plus the query."""
    pairs: list[tuple[str, Any]] = parse_qsl(query, keep_blank_values=True)
    if "application/json" in content_type:
        return dict(pairs) | (json.loads(body) if body.strip() else {})
    if "multipart/form-data" in content_type:
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        for part in BytesParser().parsebytes(head + body).walk():
            if name := part.get_param("name", header="content-disposition"):
                data, filename = part.get_payload(decode=True) or b"", part.get_filename()
                upload = {"filename": filename, "size": len(data), "head": data[:8].hex()}
                value = upload if filename else data.decode()
                pairs.append((str(name), value))
    else:
        pairs += parse_qsl(body.decode(), keep_blank_values=True)
    params = dict(pairs)
    for key, value in pairs:
        if isinstance(value, str) and key not in RAW_FIELDS:
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


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


class FakeBotApi:
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

    def _run(self, key: str, p: JSON) -> Any:
        """The method's result, or ApiError where Telegram would refuse."""
        if key in self.handlers:
            return self.handlers[key](p)
        match key:
            case "getme":
                return self.bot_user
            case "getupdates":
                return self._get_updates(p)
            case "setwebhook" | "deletewebhook":
                secret = p.get("secret_token")
                valid = secret is None or re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret))
                require(valid, "Bad Request: secret token contains unallowed characters")
                self.webhook_url = p["url"] if key == "setwebhook" else ""
                self.updates = [] if p.get("drop_pending_updates") else self.updates
            case "getwebhookinfo":
                info = {"url": self.webhook_url, "has_custom_certificate": False}
                return info | {"pending_update_count": len(self.updates)}
            case "setmycommands" | "deletemycommands":
                for c in p.get("commands", []):
                    require(re.fullmatch("[a-z0-9_]{1,32}", c["command"]), BAD_COMMAND)
                    require(1 <= len(c["description"]) <= 256, BAD_COMMAND + "_DESCRIPTION")
                self.commands[_scope(p)] = p.get("commands", [])
            case "getmycommands":
                return self.commands.get(_scope(p), [])
            case "sendmessage":
                return self._send_message(p)
            case "sendphoto":
                return self._send_photo(p)
            case "editmessagetext" | "editmessagereplymarkup":
                text = self._text(p) if key == "editmessagetext" else {}
                return self._edit(p, text | self._markup(p))
            case "deletemessage":
                gone = self.messages.pop((self._chat(p["chat_id"])["id"], p["message_id"]), None)
                require(gone, "Bad Request: message to delete not found")
            case "answercallbackquery" | "answerinlinequery":
                require(len(p.get("results", [])) <= 50, "Bad Request: RESULTS_TOO_MUCH")
                require(utf16_len(str(p.get("text", ""))) <= MAX_ALERT, MESSAGE_TOO_LONG)
                for result in p.get("results", []):
                    self._inline_content(result.get("input_message_content") or {})
                query_id = str(p.get("callback_query_id", p.get("inline_query_id")))
                require(query_id in self.open_queries, BAD_QUERY)
                self.open_queries.discard(query_id)
            case "getchat":
                return self._chat(p["chat_id"]) | CHAT_FULL_INFO
            case "sendchataction" | "close" | "logout":
                pass
            case _:
                raise ApiError(404, "Not Found: method not found")
        return True

    def _chat(self, chat_id: Any) -> JSON:
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if chat_id in self.chats:
            return self.chats[chat_id]
        if isinstance(chat_id, str):  # "@channelusername"
            name = chat_id.lstrip("@")
            return {"id": -1001000000001, "type": "channel", "title": name, "username": name}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    def _text(self, p: JSON) -> JSON:
        """Visible text after parse_mode (HTML checked), rejected if empty or too long."""
        text = str(p.get("text", ""))
        text = TelegramHtml().parse(text) if str(p.get("parse_mode")).upper() == "HTML" else text
        require(text.strip(), "Bad Request: message text is empty")
        require(utf16_len(text) <= MAX_TEXT, "Bad Request: message is too long")
        return {"text": text, "entities": p.get("entities")}

    def _inline_content(self, content: JSON) -> None:
        """An inline result's message: the same rules as sendMessage's text (UTF-16 units)."""
        if "message_text" in content:
            text = str(content["message_text"])
            if str(content.get("parse_mode")).upper() == "HTML":
                text = TelegramHtml().parse(text)
            require(text.strip(), "Bad Request: MESSAGE_EMPTY")
            require(utf16_len(text) <= MAX_TEXT, MESSAGE_TOO_LONG)

    def _markup(self, p: JSON) -> JSON:
        """Inline keyboards (callback_data checked) are echoed; reply keyboards are not."""
        markup = p.get("reply_markup")
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return {"reply_markup": None}
        for button in (b for row in markup["inline_keyboard"] for b in row):
            data = str(button.get("callback_data", "x")).encode()
            require(1 <= len(data) <= 64, "Bad Request: BUTTON_DATA_INVALID")
        return {"reply_markup": markup}

    def _get_updates(self, p: JSON) -> list[JSON]:
        require(not self.webhook_url, NO_POLLING, 409)
        offset, allowed = int(p.get("offset", 0)), set(p.get("allowed_updates") or ())
        if offset > 0:  # confirms every update below offset
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(p.get("timeout", 0)), self.max_poll_timeout)

        def ready() -> list[JSON]:
            pool = self.updates[offset:] if offset < 0 else self.updates
            wanted = [u for u in pool if not allowed or allowed & (u.keys() - {"update_id"})]
            return [u for u in pool if u in wanted or u["update_id"] in self._raw]

        while not ready() and not self._stopping and (left := deadline - time.monotonic()) > 0:
            self._cond.wait(left)
        return ready()[: int(p.get("limit", 100))]

    def _caption(self, p: JSON) -> JSON:
        """Optional caption after parse_mode (HTML checked), at most 1024 characters."""
        caption = str(p.get("caption") or "")
        if str(p.get("parse_mode")).upper() == "HTML":
            caption = TelegramHtml().parse(caption)
        require(utf16_len(caption) <= MAX_CAPTION, "Bad Request: message caption is too long")
        return {"caption": caption, "caption_entities": p.get("caption_entities")}

    def _send_photo(self, p: JSON) -> JSON:
        """An uploaded file (multipart part, non-empty) or a file_id/URL string."""
        photo = p.get("photo")
        require(photo, "Bad Request: there is no photo in the request")
        size: JSON = {"file_id": photo, "file_unique_id": str(photo)[-16:]}
        if isinstance(photo, dict):
            require(photo.get("size"), "Bad Request: file must be non-empty")
            unique = f"AQAD{self._next_message_id + 1}"
            size = {"file_id": f"AgACAgIAAxkBAAI{unique}", "file_unique_id": unique,
                    "file_size": photo["size"]}  # fmt: skip
        size |= {"width": 1280, "height": 720}
        return self._send(p, {"photo": [size]} | self._caption(p) | self._markup(p))

    def _send_message(self, p: JSON) -> JSON:
        return self._send(p, self._text(p) | self._markup(p))

    def _send(self, p: JSON, fields: JSON) -> JSON:
        """Store and return the bot's new message with `fields` (empty ones left out)."""
        chat = self._chat(p["chat_id"])
        self.chats.setdefault(chat["id"], chat)
        self._next_message_id += 1
        msg: JSON = {"message_id": self._next_message_id, "from": self.bot_user, "chat": chat,
                     "date": int(time.time())} | {k: v for k, v in fields.items() if v}  # fmt: skip
        reply = p.get("reply_parameters") or {}
        if reply_id := reply.get("message_id") or p.get("reply_to_message_id"):
            original = self.messages.get((chat["id"], reply_id))
            lenient = reply.get("allow_sending_without_reply", p.get("allow_sending_without_reply"))
            require(original or lenient, "Bad Request: message to be replied not found")
            if original:
                nested = {k: v for k, v in original.items() if k != "reply_to_message"}
                msg["reply_to_message"] = nested
        self.messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def _edit(self, p: JSON, changes: JSON) -> JSON | bool:
        """Replace `changes` keys (None removes: no reply_markup drops the inline keyboard)."""
        if "inline_message_id" in p:
            return True
        key = (self._chat(p["chat_id"])["id"], p["message_id"])
        old = self.messages.get(key) or {}
        require(old, "Bad Request: message to edit not found")
        require(
            old.get("from", {}).get("id") == self.bot_user["id"],
            "Bad Request: message can't be edited",
        )
        kept = {k: v for k, v in old.items() if k not in changes and k != "edit_date"}
        new = kept | {k: v for k, v in changes.items() if v is not None}
        require(new != {k: v for k, v in old.items() if k != "edit_date"}, NOT_MODIFIED)
        self.messages[key] = new | {"edit_date": int(time.time())}
        return self.messages[key]


def _scope(p: JSON) -> str:
    """Key of the command list for (scope, language_code); the scope's key order is irrelevant."""
    scope = p.get("scope") or {"type": "default"}
    return json.dumps([scope, p.get("language_code", "")], sort_keys=True)
