"""An answer's buttons act only on the chat and message they were sent with.

Callback data is `v:<question id>:±1` or `m:<question id>:<page>`: a modified client can send
any of them from anywhere. Forged presses are answered "expired" and change nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.keyboards import MORE, VOTE, decode, encode
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import WAIT, ask, bot_message, buttons, press, reply_to, visible
from tests.helpers.fake_bot_api import FakeBotApi

QUESTION = "Chính quyền số là gì?"
OTHER_QUESTION = "Dịch vụ công trực tuyến mức độ 4 là gì?"
JSON = dict[str, Any]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


def rows(db_path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as db:
        return db.execute(sql, args).fetchall()


def _write(db_path: Path, sql: str) -> None:
    db = sqlite3.connect(db_path)
    try:
        with db:
            db.execute(sql)
    finally:
        db.close()


async def write(db_path: Path, sql: str) -> None:
    """Write beside the running bot without blocking its event loop.

    A blocking write here would wait for a lock the bot can only release by running.
    """
    await asyncio.to_thread(_write, db_path, sql)


async def sent_on_its_message(db_path: Path, question_id: int) -> None:
    """Wait until the bot has stored the message an answer went out on (after sendMessage)."""
    deadline = time.monotonic() + WAIT
    sql = "SELECT message_id FROM answers WHERE question_id = ?"
    while rows(db_path, sql, question_id) in ([], [(None,)]):
        assert time.monotonic() < deadline, "the answer's message was never stored"
        await asyncio.sleep(0.01)


async def test_a_button_forged_in_another_chat_shows_nothing_and_votes_nothing(
    settings: Settings, api: FakeBotApi
):
    stranger = U.USER_ID + 1
    async with running_bot(settings, api):
        theirs = await ask(api, QUESTION)
        secret_id = decode(buttons(theirs)["👍"]).ref
        mine = await ask(api, OTHER_QUESTION, user_id=stranger)
        forged = [
            await press(api, encode(kind, secret_id, value), mine, user_id=stranger)
            for kind, value in ((MORE, 0), (MORE, 1), (VOTE, 1), (VOTE, -1))
        ]
        after = bot_message(api, stranger, mine["message_id"])

    assert [call.params.get("text") for call in forged] == [texts.EXPIRED] * 4
    assert api.calls_to("editMessageText") == []
    assert after["text"] == mine["text"]  # the stranger's own answer, untouched
    assert rows(settings.db_path, "SELECT * FROM votes") == []


async def test_a_button_moved_to_another_message_of_the_same_chat_is_refused(
    settings: Settings, api: FakeBotApi
):
    async with running_bot(settings, api):
        first = await ask(api, QUESTION)
        second = await ask(api, OTHER_QUESTION)
        first_id = decode(buttons(first)["👍"]).ref
        await sent_on_its_message(settings.db_path, first_id)
        moved = await press(api, encode(MORE, first_id, 1), second)
        vote = await press(api, encode(VOTE, first_id, -1), second)
        real = await press(api, buttons(first)["👍"], first)

    assert moved.params.get("text") == texts.EXPIRED and vote.params.get("text") == texts.EXPIRED
    assert api.calls_to("editMessageText") == []
    assert real.params["text"] == texts.VOTE_THANKS[1]
    assert rows(settings.db_path, "SELECT question_id, vote FROM votes") == [(first_id, 1)]


async def test_in_a_group_every_member_may_use_the_buttons_of_an_answer_there(
    settings: Settings, api: FakeBotApi
):
    member = U.USER_ID + 5
    async with running_bot(settings, api):
        asked = await reply_to(api, U.group_text(f"/ask {QUESTION}"))
        answer = bot_message(api, U.GROUP_ID)
        vote = await press(api, buttons(answer)["👍"], answer, user_id=member)

    assert "Nguồn:" in visible(asked)
    assert vote.params["text"] == texts.VOTE_THANKS[1]
    assert len(rows(settings.db_path, "SELECT * FROM votes")) == 1


async def test_buttons_of_answers_sent_before_binding_was_stored_answer_expired(
    settings: Settings, api: FakeBotApi
):
    """Rows from before migration 10 know no chat: nobody can tell a real press from a forged."""
    async with running_bot(settings, api):
        answer = await ask(api, QUESTION)
        question_id = decode(buttons(answer)["👍"]).ref
        await sent_on_its_message(settings.db_path, question_id)
        await write(settings.db_path, "UPDATE answers SET chat_hash = NULL, message_id = NULL")
        vote = await press(api, buttons(answer)["👍"], answer)

    assert vote.params.get("text") == texts.EXPIRED
    assert rows(settings.db_path, "SELECT * FROM votes") == []
