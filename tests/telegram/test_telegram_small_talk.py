"""End to end: small talk through the fake Bot API gets the introduction, no buttons, no record."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator

import pytest

from bot.core.formatting import NOT_FOUND, SMALL_TALK_INTRO, SMALL_TALK_OPENINGS
from bot.core.small_talk import Talk
from bot.settings import Settings
from bot.telegram.texts import SMALL_TALK_HELP
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import reply_to, visible
from tests.helpers.fake_bot_api import Call, FakeBotApi

QUESTION = "Chính quyền số là gì?"
GREETING_AND_QUESTION = "Chào bạn, cho mình hỏi chính quyền số là gì?"


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake, running_bot(settings, fake):
        yield fake


def reply_for(kind: Talk) -> str:
    """What the user reads: the opening for the kind, the introduction, the /help pointer."""
    return f"{SMALL_TALK_OPENINGS[kind]} {SMALL_TALK_INTRO}\n\n{SMALL_TALK_HELP}"


def keyboard(call: Call) -> list[list[dict]]:
    return (call.params.get("reply_markup") or {"inline_keyboard": []})["inline_keyboard"]


def recorded(settings: Settings) -> list[tuple[str, int]]:
    """(question, answered) of every row of the questions table, read from the SQLite file."""
    with sqlite3.connect(settings.db_path) as db:
        return db.execute("SELECT question, answered FROM questions ORDER BY id").fetchall()


async def test_private_small_talk_is_introduced_without_buttons_or_record(
    api: FakeBotApi, settings: Settings
) -> None:
    for message, kind in [
        ("chào bạn", Talk.GREETING),
        ("CAM ON BAN 🙏", Talk.THANKS),
        ("👍", Talk.ACK),
        ("bạn là ai?", Talk.ABOUT),
        ("??", Talk.PING),
        ("Tạm biệt!", Talk.GOODBYE),
    ]:
        call = await reply_to(api, U.private_text(message))
        assert call.params["parse_mode"] == "HTML"
        assert visible(call) == reply_for(kind), message
        assert keyboard(call) == [], message
        assert NOT_FOUND not in visible(call)
    assert recorded(settings) == []  # small talk is neither an answer nor an unanswered question

    call = await reply_to(api, U.private_text(GREETING_AND_QUESTION))
    assert "Nguồn:" in visible(call) and SMALL_TALK_INTRO not in visible(call)
    assert [b["text"] for b in keyboard(call)[0]] == ["👍", "👎"]
    assert recorded(settings) == [(GREETING_AND_QUESTION, 1)]


async def test_group_small_talk_only_when_addressed(api: FakeBotApi, settings: Settings) -> None:
    api.push_update(U.group_text("chào cả nhà"))  # not for the bot: ignored
    asked = U.group_text("@CqsHaiPhongBot xin chào!")
    call = await reply_to(api, asked)
    assert visible(call) == reply_for(Talk.GREETING)
    assert call.params["chat_id"] == U.GROUP_ID and keyboard(call) == []
    reply = call.params.get("reply_parameters") or {}
    assert reply.get("message_id") == asked["message"]["message_id"]  # quotes, as answers do
    assert len(api.sent_texts(U.GROUP_ID)) == 1

    mine = U.bot_message("Bạn cần hỏi gì thêm?", chat=U.group_chat())
    api.push_update({"message": mine})  # so the fake knows the bot's message
    thanks = await reply_to(api, U.group_text("cảm ơn bot nhiều nha", reply_to=mine))
    assert visible(thanks) == reply_for(Talk.THANKS) and keyboard(thanks) == []

    command = await reply_to(api, U.group_text("/ask@CqsHaiPhongBot hello"))
    assert visible(command) == reply_for(Talk.GREETING)
    assert recorded(settings) == []


async def test_inline_small_talk_lists_nothing(api: FakeBotApi) -> None:
    api.push_update(U.inline_query("chào bạn"))
    [call] = await api.wait_for("answerInlineQuery", 1)
    assert call.params["results"] == []
