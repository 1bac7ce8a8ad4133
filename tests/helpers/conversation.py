"""Talking to the bot through the fake Bot API: ask, press a button, read what a user sees."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.fake_bot_api import Call, FakeBotApi, TelegramHtml

JSON = dict[str, Any]
WAIT = 15.0  # a guard against hangs, never a performance expectation


async def wait_call(api: FakeBotApi, method: str, timeout: float = WAIT, **params: Any) -> Call:
    """The first recorded call to `method` whose params include `params`."""
    deadline = time.monotonic() + timeout
    while True:
        for call in api.calls_to(method):
            if all(call.params.get(k) == v for k, v in params.items()):
                return call
        if time.monotonic() > deadline:
            raise AssertionError(f"no {method} with {params}; recorded: {api.calls[-10:]}")
        await asyncio.sleep(0.01)


def bot_message(api: FakeBotApi, chat_id: int, message_id: int | None = None) -> JSON:
    """The bot's message as the fake holds it now (edits applied); the latest by default."""
    held = dict(api.messages)  # a snapshot: the server thread adds messages
    mine = {mid: m for (chat, mid), m in held.items() if chat == chat_id and m["from"]["is_bot"]}
    return mine[message_id if message_id is not None else max(mine)]


async def ask(api: FakeBotApi, text: str, user_id: int = U.USER_ID) -> JSON:
    """Push a private question, wait for the reply and return the bot's message."""
    before = len(api.sent_texts(user_id))
    api.push_update(U.private_text(text, user_id=user_id))
    while len(api.sent_texts(user_id)) <= before:
        await api.wait_for("sendMessage", len(api.calls_to("sendMessage")) + 1, timeout=WAIT)
    return bot_message(api, user_id)


async def press(api: FakeBotApi, data: str, message: JSON, user_id: int = U.USER_ID) -> Call:
    """Press a button under `message`; returns the answerCallbackQuery the bot made for it."""
    update = api.push_update(U.callback_query(data, message=message, user_id=user_id))
    query_id = update["callback_query"]["id"]
    return await wait_call(api, "answerCallbackQuery", callback_query_id=query_id)


def buttons(message: JSON) -> dict[str, str]:
    """Button text → callback_data of the message's inline keyboard."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def reply_to(api: FakeBotApi, update: dict[str, Any]) -> Call:
    """Push one update and return the first sendMessage that follows it."""
    before = len(api.calls_to("sendMessage"))
    api.push_update(update)
    return (await api.wait_for("sendMessage", before + 1, timeout=WAIT))[before]


def visible(call: Call) -> str:
    """The text a user sees (HTML parsed as Telegram does)."""
    text = call.params["text"]
    return TelegramHtml().parse(text) if call.params.get("parse_mode") == "HTML" else text


async def replies(api: FakeBotApi, chat_id: int, count: int) -> list[str]:
    """Wait until `chat_id` got `count` messages (any number of other sends meanwhile)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while len(sent := api.sent_texts(chat_id)) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"chat {chat_id}: {sent!r}, wanted {count} message(s)")
        await asyncio.sleep(0.01)
    return sent


def is_answer(text: str) -> bool:
    """An answer with sources, not the error apology."""
    return "Nguồn:" in text and texts.ERROR not in text


def delivered_texts(api: FakeBotApi, chat_id: int) -> list[str]:
    """Visible text of the bot's messages the fake holds for `chat_id` (failed calls add none)."""
    held = dict(api.messages)  # a snapshot: the server thread adds messages
    mine = sorted((mid, m) for (chat, mid), m in held.items() if chat == chat_id)
    return [m.get("text", "") for _, m in mine if m["from"]["is_bot"]]


async def delivered(api: FakeBotApi, chat_id: int, count: int) -> list[str]:
    """Wait until `count` bot messages were delivered to `chat_id`; their texts."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while len(sent := delivered_texts(api, chat_id)) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"chat {chat_id}: delivered {sent!r}, wanted {count}")
        await asyncio.sleep(0.02)
    return sent
