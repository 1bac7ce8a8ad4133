"""Group rules: is a message meant for the bot, and what is the question in it?"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity

from bot.core.text import well_formed


def _body(message: Message) -> str:
    """What the user wrote: the text, or a photo's or document's caption."""
    return message.text or message.caption or ""


def _utf16(text: str) -> bytes:
    """UTF-16 code units, where entity offsets count; a lone surrogate is kept as a unit."""
    return text.encode("utf-16-le", "surrogatepass")


def _mentions_bot(message: Message, username: str, bot_id: int) -> list[MessageEntity]:
    """Entities in the text (or caption) that name this bot (@username, any case, or a link)."""
    entities = message.entities if message.text is not None else message.caption_entities
    encoded = _utf16(_body(message))  # not PTB's parse_entity: it fails on a lone surrogate
    found = []
    for entity in entities or ():
        if entity.type == MessageEntity.MENTION:
            start, end = entity.offset * 2, (entity.offset + entity.length) * 2
            named = encoded[start:end].decode("utf-16-le", "surrogatepass")
            if named.lower() == f"@{username.lower()}":
                found.append(entity)
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            found.append(entity)
    return found


def _without(message: Message, entities: list[MessageEntity]) -> str:
    """The message text with the given entities cut out (offsets count UTF-16 units)."""
    encoded = _utf16(_body(message))
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        while encoded[end : end + 2] in (b",\x00", b":\x00"):  # "@Bot, question"
            end += 2
        encoded = encoded[:start] + _utf16(" ") + encoded[end:]
    return re.sub(r"\s+", " ", well_formed(encoded.decode("utf-16-le", "surrogatepass"))).strip(
        " ,:"
    )


def addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question when the bot is @mentioned or replied to; None when the message is not ours."""
    mentions = _mentions_bot(message, username, bot_id)
    if mentions:
        return _without(message, mentions)
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot_id:
        return _body(message)
    return None


def command_for_other_bot(message: Message, username: str) -> bool:
    """'/cmd@OtherBot': a command in a group that names some other bot."""
    command = (message.text or "").split(maxsplit=1)[0] if message.text else ""
    return "@" in command and command.split("@", 1)[1].lower() != username.lower()
