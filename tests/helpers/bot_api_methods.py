"""What the fake Bot API does with each method: Telegram's checks, answers and stored state."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.helpers.bot_api_wire import (
    BAD_COMMAND,
    BAD_QUERY,
    JSON,
    MAX_ALERT,
    MAX_CAPTION,
    MAX_TEXT,
    MESSAGE_TOO_LONG,
    NO_POLLING,
    NOT_MODIFIED,
    ApiError,
    TelegramHtml,
    require,
    utf16_len,
)

GIFTS = "unlimited_gifts limited_gifts unique_gifts premium_subscription gifts_from_channels"
CHAT_FULL_INFO = {"accent_color_id": 0, "max_reaction_count": 11,
                  "accepted_gift_types": dict.fromkeys(GIFTS.split(), True)}  # fmt: skip


class BotApiMethods:
    """The methods FakeBotApi runs (under its lock), on the state FakeBotApi keeps."""

    bot_user: JSON
    max_poll_timeout: float
    updates: list[JSON]
    _raw: set[int]
    messages: dict[tuple[Any, int], JSON]
    chats: dict[Any, JSON]
    commands: dict[str, list[JSON]]
    open_queries: set[str]
    handlers: dict[str, Callable[[JSON], Any]]
    webhook_url: str
    _next_message_id: int
    _cond: threading.Condition
    _stopping: bool

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
