"""Builders of Bot API update dicts (JSON-ready) to feed FakeBotApi.push_update."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

JSON = dict[str, Any]
USER_ID = 123456789
GROUP_ID = -1001234567890
CHANNEL_ID = -1009876543210
BOT_ID = 777000111
BOT_USERNAME = "CqsHaiPhongBot"
BOT_USER: JSON = {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý CQS",
                  "username": BOT_USERNAME}  # fmt: skip
OTHER_BOT: JSON = {"id": 555000222, "is_bot": True, "first_name": "Bot khác",
                   "username": "OtherBot"}  # fmt: skip

_message_ids = itertools.count(1)  # FakeBotApi numbers the bot's own messages from 10 001
_query_ids = itertools.count(4_000_000_000_000_000_001)
_file_ids = itertools.count(1)
COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?")
MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}\b")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and lengths."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def entities_for(text: str) -> list[JSON]:
    """bot_command (leading /cmd[@bot]) and mention (@username) entities, UTF-16 offsets."""
    found = [("bot_command", m) for m in [COMMAND_RE.match(text)] if m]
    found += [("mention", m) for m in MENTION_RE.finditer(text)]
    return [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for kind, m in sorted(found, key=lambda found: found[1].start())
    ]


def user(user_id: int = USER_ID, first_name: str = "Lan", **extra: Any) -> JSON:
    """A human User (Vietnamese client)."""
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"} | extra


def private_chat(chat_id: int = USER_ID, first_name: str = "Lan") -> JSON:
    """A private Chat with a user."""
    return {"id": chat_id, "type": "private", "first_name": first_name}


def group_chat(chat_id: int = GROUP_ID, chat_type: str = "supergroup") -> JSON:
    """A group or supergroup Chat."""
    return {"id": chat_id, "type": chat_type, "title": "Hỏi đáp dịch vụ công Hải Phòng"}


def message(chat: JSON, sender: JSON | None, text: str | None = None, **extra: Any) -> JSON:
    """A Message with a fresh message_id; text gets automatic command/mention entities."""
    msg: JSON = {"message_id": next(_message_ids), "date": int(time.time()), "chat": chat}
    msg |= {"from": sender} if sender else {}
    if text is not None:
        msg["text"] = text
        msg |= {"entities": entities} if (entities := entities_for(text)) else {}
    return msg | extra


def _no_nesting(reply_to: JSON | None) -> JSON:
    """`reply_to_message` field; Telegram nests only one level."""
    if reply_to is None:
        return {}
    return {"reply_to_message": {k: v for k, v in reply_to.items() if k != "reply_to_message"}}


def private_text(text: str, user_id: int = USER_ID, chat_id: int | None = None,
                 message_id: int | None = None, first_name: str = "Lan",
                 **extra: Any) -> JSON:  # fmt: skip
    """Update: a user writes `text` to the bot in a private chat (extra: Message fields)."""
    chat = private_chat(user_id if chat_id is None else chat_id, first_name)
    msg = message(chat, user(user_id, first_name), text, **extra)
    return {"message": msg | ({"message_id": message_id} if message_id else {})}


def group_text(text: str, chat_id: int = GROUP_ID, chat_type: str = "supergroup",
               user_id: int = USER_ID, reply_to: JSON | None = None,
               entities: list[JSON] | None = None, first_name: str = "Lan",
               **extra: Any) -> JSON:  # fmt: skip
    """Update: a user writes `text` in a group; reply_to is a Message dict (e.g. the bot's)."""
    msg = message(group_chat(chat_id, chat_type), user(user_id, first_name), text, **extra)
    msg |= _no_nesting(reply_to) | ({"entities": entities} if entities is not None else {})
    return {"message": msg}


def bot_message(text: str, chat: JSON | None = None, reply_markup: JSON | None = None) -> JSON:
    """A Message sent by the bot (e.g. carrying the inline keyboard a callback came from)."""
    msg = message(chat or private_chat(), BOT_USER, text)
    return msg | ({"reply_markup": reply_markup} if reply_markup else {})


def callback_query(data: str, message: JSON | None = None, user_id: int = USER_ID,
                   first_name: str = "Lan") -> JSON:  # fmt: skip
    """Update: the user pressed an inline button with `data` under `message` (the bot's)."""
    msg = message or bot_message("Chọn một mục:")
    query = {"id": str(next(_query_ids)), "from": user(user_id, first_name), "data": data}
    return {"callback_query": query | {"chat_instance": f"ci{msg['chat']['id']}", "message": msg}}


def inline_query(query: str, user_id: int = USER_ID, offset: str = "") -> JSON:
    """Update: the user typed `@CqsHaiPhongBot query` in some chat."""
    body = {"id": str(next(_query_ids)), "from": user(user_id), "query": query, "offset": offset}
    return {"inline_query": body | {"chat_type": "sender"}}


def sticker_message(emoji: str = "👍", user_id: int = USER_ID, chat_id: int | None = None) -> JSON:
    """Update: the user sends a sticker (no text) in a private chat."""
    n = next(_file_ids)
    sticker = {"file_id": f"CAACAgIAAxkBAAI{n}", "file_unique_id": f"AgAD{n}", "type": "regular",
               "width": 512, "height": 512, "is_animated": False, "is_video": False,
               "emoji": emoji, "set_name": "HotCherry", "file_size": 23456}  # fmt: skip
    chat = private_chat(user_id if chat_id is None else chat_id)
    return {"message": message(chat, user(user_id), sticker=sticker)}


def photo_message(caption: str | None = None, user_id: int = USER_ID,
                  chat_id: int | None = None, chat: JSON | None = None) -> JSON:  # fmt: skip
    """Update: the user sends a photo (three sizes), optionally captioned; private by default."""
    n = next(_file_ids)
    photo = [{"file_id": f"AgACAgIAAxkBAAI{n}{size}", "file_unique_id": f"AQAD{n}{size}",
              "width": size, "height": size * 3 // 4, "file_size": size * 60}
             for size in (90, 320, 1280)]  # fmt: skip
    chat = chat or private_chat(user_id if chat_id is None else chat_id)
    msg = message(chat, user(user_id), photo=photo)
    if caption is not None:
        msg["caption"] = caption
        msg |= {"caption_entities": found} if (found := entities_for(caption)) else {}
    return {"message": msg}


def edited_message(text: str, message_id: int | None = None, user_id: int = USER_ID,
                   chat_id: int | None = None) -> JSON:  # fmt: skip
    """Update: the user edited an earlier private message to `text`."""
    msg = message(private_chat(user_id if chat_id is None else chat_id), user(user_id), text)
    msg |= {"message_id": message_id} if message_id else {}
    return {"edited_message": msg | {"edit_date": msg["date"] + 1}}


def channel_post(text: str, chat_id: int = CHANNEL_ID, title: str = "Thông báo UBND") -> JSON:
    """Update: a post in a channel the bot is in (no `from`, sender_chat = the channel)."""
    chat = {"id": chat_id, "type": "channel", "title": title}
    return {"channel_post": message(chat, None, text, sender_chat=chat)}


def forwarded_private_text(text: str, user_id: int = USER_ID, origin_name: str = "Minh") -> JSON:
    """Update: the user forwards someone else's message to the bot."""
    origin = {"type": "user", "sender_user": user(987654321, origin_name)}
    forward = {"forward_origin": origin | {"date": int(time.time()) - 3600}}
    return {"message": message(private_chat(user_id), user(user_id), text, **forward)}


def from_bot_text(text: str, chat_id: int = GROUP_ID) -> JSON:
    """Update: another bot writes `text` in a group."""
    return {"message": message(group_chat(chat_id), OTHER_BOT, text)}
