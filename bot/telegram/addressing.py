"""Group rules: is a message meant for the bot, and what is the question in it?"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity


def _body(message: Message) -> str:
    """What the user wrote: the text, or a photo's or document's caption."""
    return message.text or message.caption or ""


def _mentions_bot(message: Message, username: str, bot_id: int) -> list[MessageEntity]:
    """Entities in the text (or caption) that name this bot (@username, any case, or a link)."""
    if message.text is not None:
        entities, parse = message.entities, message.parse_entity
    else:
        entities, parse = message.caption_entities, message.parse_caption_entity
    found = []
    for entity in entities or ():
        if entity.type == MessageEntity.MENTION:
            if parse(entity).lower() == f"@{username.lower()}":
                found.append(entity)
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            found.append(entity)
    return found


def _without(message: Message, entities: list[MessageEntity]) -> str:
    """The message text with the given entities cut out (offsets count UTF-16 units)."""
    encoded = _body(message).encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        while encoded[end : end + 2] in (b",\x00", b":\x00"):  # "@Bot, question"
            end += 2
        encoded = encoded[:start] + " ".encode("utf-16-le") + encoded[end:]
    return re.sub(r"\s+", " ", encoded.decode("utf-16-le")).strip(" ,:")


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
