"""What the inbox keeps of an update: enough to answer it after a restart, nothing more.

No names or usernames, no forwarded or quoted content, and personal numbers in the text
replaced like in the question log (entity offsets moved to match, in UTF-16 units).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from bot.core.personal_data import PLACEHOLDERS, Redaction, redact

JSON = dict[str, Any]
MESSAGE_KEYS = ("message_id", "date", "chat", "from", "sender_chat", "text", "entities",
                "caption", "caption_entities", "reply_to_message", "message_thread_id",
                "is_topic_message")  # fmt: skip
CHAT_KEYS = ("id", "type", "is_forum")
USER_KEYS = ("id", "is_bot", "language_code")
BODIES = (("text", "entities"), ("caption", "caption_entities"))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _person(user: JSON) -> JSON:
    """A User without names (PTB requires first_name: an empty one)."""
    return {k: user[k] for k in USER_KEYS if k in user} | {"first_name": ""}


def _entities(original: str, redaction: Redaction, entities: list[JSON]) -> list[JSON]:
    """Entities moved past the placeholders; one touching a replaced span is dropped."""
    spans = []  # (start, end, growth) in UTF-16 units of the original
    for found in redaction.found:
        start, end = utf16_len(original[: found.start]), utf16_len(original[: found.end])
        spans.append((start, end, utf16_len(PLACEHOLDERS[found.kind]) - (end - start)))
    moved = []
    for entity in entities:
        first, last = entity["offset"], entity["offset"] + entity["length"]
        if any(first < end and start < last for start, end, _ in spans):
            continue
        shift = sum(growth for start, end, growth in spans if end <= first)
        moved.append(entity | {"offset": first + shift})
    return moved


def _chat(chat: JSON) -> JSON:
    return {k: chat[k] for k in CHAT_KEYS if k in chat}


def _python_index(text: str, units: int) -> int:
    """The index in `text` of the character at `units` UTF-16 units (Telegram's offsets)."""
    count = 0
    for i, char in enumerate(text):
        if count >= units:
            return i
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _composed(kept: JSON, body: str, entities_key: str) -> None:
    """The text composed (NFC), as the question log stores it, so a name typed with combining
    accents is found; entity offsets re-measured on the composed text."""
    text = kept[body]
    composed = unicodedata.normalize("NFC", text)
    if composed == text:
        return
    entities = []
    for entity in kept.get(entities_key) or []:
        start = _python_index(text, entity["offset"])
        end = _python_index(text, entity["offset"] + entity["length"])
        first = utf16_len(unicodedata.normalize("NFC", text[:start]))
        last = utf16_len(unicodedata.normalize("NFC", text[:end]))
        entities.append(entity | {"offset": first, "length": last - first})
    kept[body] = composed
    if entities:
        kept[entities_key] = entities


def _redacted(kept: JSON, body: str, entities_key: str) -> None:
    """Personal data out of the text (or caption), names out of its text mentions."""
    _composed(kept, body, entities_key)
    redaction = redact(kept[body])
    if redaction.found:
        kept[entities_key] = _entities(kept[body], redaction, kept.get(entities_key) or [])
        kept[body] = redaction.text
    for entity in kept.get(entities_key) or []:
        if isinstance(entity.get("user"), dict):
            entity["user"] = _person(entity["user"])


def _message(message: JSON) -> JSON:
    kept = {k: message[k] for k in MESSAGE_KEYS if k in message} | {"chat": _chat(message["chat"])}
    if isinstance(kept.get("from"), dict):
        kept["from"] = _person(kept["from"])
    if isinstance(kept.get("sender_chat"), dict):
        kept["sender_chat"] = _chat(kept["sender_chat"])
    if isinstance(kept.get("reply_to_message"), dict):
        kept["reply_to_message"] = _message(kept["reply_to_message"])
    for body, entities_key in BODIES:
        if isinstance(kept.get(body), str):
            _redacted(kept, body, entities_key)
    return kept


def kept_update(update: JSON) -> JSON:
    """The update (Bot API JSON) reduced to its message's id, date, chat, sender id and text."""
    return {"update_id": update["update_id"], "message": _message(update["message"])}
