"""What the inbox keeps: addressed messages only, their text only until they are answered; a
question the bot could not answer before stopping is answered at the next start."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Settings
from bot.store.database import Store
from bot.store.inbox import InboxDb
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import delivered, delivered_texts, is_answer, replies
from tests.helpers.fake_bot_api import ApiError, FakeBotApi

QUESTION = "Chính quyền số là gì?"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


def inbox_rows(settings: Settings) -> list[tuple[int, str | None]]:
    with sqlite3.connect(settings.db_path) as db:
        return db.execute("SELECT update_id, payload FROM inbox ORDER BY 1").fetchall()


async def test_only_addressed_messages_are_kept_and_only_until_answered(
    settings: Settings, api: FakeBotApi
) -> None:
    async with running_bot(settings, api):
        chatter = api.push_update(U.group_text("Chiều nay ai họp tổ dân phố không?"))
        asked = api.push_update(U.group_text(f"@{U.BOT_USERNAME} {QUESTION}"))
        private = api.push_update(U.private_text("CCCD 031095012345, " + QUESTION))
        await replies(api, U.GROUP_ID, 1)
        await delivered(api, U.USER_ID, 1)

    rows = dict(inbox_rows(settings))
    assert chatter["update_id"] not in rows  # never stored, not even its id
    assert rows == {asked["update_id"]: None, private["update_id"]: None}  # answered: no text


async def test_a_question_left_unanswered_at_stop_is_answered_at_the_next_start(
    settings: Settings, api: FakeBotApi
) -> None:
    def down(params: dict[str, Any]) -> Any:
        raise ApiError(502, "Bad Gateway")

    api.handlers["sendmessage"] = down
    async with running_bot(settings, api):
        update = api.push_update(U.private_text(QUESTION))
        await api.wait_for("sendMessage", 2, timeout=15)  # failed, and retried
    pending = inbox_rows(settings)
    del api.handlers["sendmessage"]  # Telegram is back
    async with running_bot(settings, api):
        await delivered(api, U.USER_ID, 1)

    assert [uid for uid, payload in pending if payload] == [update["update_id"]]
    [answer] = delivered_texts(api, U.USER_ID)
    assert is_answer(answer)
    assert inbox_rows(settings) == [(update["update_id"], None)]


async def test_a_question_older_than_the_limit_is_given_up_at_start_not_answered(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    asked_at = int(time.time()) - 20 * 60  # a crash 20 minutes ago; the limit is 15
    old = {"update_id": 41, **U.private_text(QUESTION, date=asked_at)}
    fresh = {"update_id": 42, **U.private_text(QUESTION, user_id=U.USER_ID + 1)}
    store = await Store.open(settings.db_path)  # as the crashed bot left its inbox
    for update in (old, fresh):
        await InboxDb(store).keep(update["update_id"], json.dumps(update), "hash")
    await store.close()

    async with running_bot(settings, api):
        await delivered(api, U.USER_ID + 1, 1)

    assert delivered_texts(api, U.USER_ID) == []  # too late to be useful: not sent
    assert inbox_rows(settings) == [(41, None), (42, None)]
    gave_up = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("update 41" in line for line in gave_up), gave_up
