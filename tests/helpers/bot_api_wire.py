"""The Bot API's wire level, as the fake server speaks it: error texts, limits, request decoding
and Telegram's HTML subset."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Any, NoReturn
from urllib.parse import parse_qsl

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
ATTR = r"""\s+[\w-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
HTML_TOKEN_RE = re.compile(  # a whole tag (an `&` inside attributes is fine), an entity, or junk
    rf"(?P<tag></?[a-z][\w-]*(?:{ATTR})*\s*>)|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|(?P<bad>[<&])",
    re.IGNORECASE,
)


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
