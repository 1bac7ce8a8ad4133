"""Lone UTF-16 surrogates in what users send (half an emoji, as JSON `\\ud83d`) never break a
reply: addressing, the text pipeline, the question log and the greeting all take them."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import is_answer, reply_to, visible, wait_call
from tests.helpers.fake_bot_api import FakeBotApi

HALF = "\ud83d"  # the high half of 😀 alone
OTHER_HALF = "\ude00"  # the low half alone


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_lone_surrogates_in_every_kind_of_message_get_normal_replies(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    question = f"Chính quyền số {HALF}là gì{OTHER_HALF}?"
    async with running_bot(settings, api):
        private = await reply_to(api, U.private_text(question))
        mention = f"@{U.BOT_USERNAME} {OTHER_HALF} {question}"
        group = await reply_to(api, U.group_text(mention))
        greeted = await reply_to(
            api, U.private_text("/start", user_id=U.USER_ID + 1, first_name=f"Lan{HALF}")
        )
        api.push_update(U.inline_query(question))
        inline = await wait_call(api, "answerInlineQuery")

    assert is_answer(visible(private)) and is_answer(visible(group))
    assert group.params["chat_id"] == U.GROUP_ID
    assert visible(greeted).startswith("Xin chào Lan\ufffd!")
    assert inline.params["results"] and not api.open_queries
    assert texts.ERROR not in api.sent_texts() and failures(caplog) == []
    with sqlite3.connect(settings.db_path) as db:
        stored = [row[0] for row in db.execute("SELECT question FROM questions ORDER BY id")]
    assert stored == [
        "Chính quyền số \ufffdlà gì\ufffd?",
        "\ufffd Chính quyền số \ufffdlà gì\ufffd?",
    ]
