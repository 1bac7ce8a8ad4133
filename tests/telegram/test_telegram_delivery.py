"""No question is lost while Telegram fails for a while: 5xx, 429, timeouts, dropped connections.

The real Application polls the fake Bot API; the outage is a number of failing calls, after
which the fake recovers. Answers are what the fake delivered (failed calls deliver nothing).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Settings
from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import ask, buttons, delivered, delivered_texts, is_answer
from tests.helpers.fake_bot_api import ApiError, FakeBotApi

QUESTION = "Chính quyền số là gì?"
USERS = [U.USER_ID + i for i in range(5)]
# Failing calls per method (typing action, answer): 429s outnumber AIORateLimiter's 3 retries
# per call; a hung answer times out after PTB's 5 s read timeout.
OUTAGES: dict[Any, tuple[int, int]] = {
    500: (5, 10),
    502: (5, 10),
    429: (20, 25),
    "hang": (0, 5),
    "drop": (5, 10),
}


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


def recorded_questions(settings: Settings) -> int:
    with sqlite3.connect(settings.db_path) as db:
        return int(db.execute("SELECT COUNT(*) FROM questions").fetchone()[0])


@pytest.mark.parametrize("fault", list(OUTAGES))
async def test_questions_asked_during_an_outage_are_all_answered_once(
    settings: Settings, api: FakeBotApi, fault: Any
) -> None:
    typing_failures, answer_failures = OUTAGES[fault]
    async with running_bot(settings, api):
        api.outage("sendChatAction", fault, typing_failures)
        api.outage("sendMessage", fault, answer_failures)
        for user_id in USERS:
            api.push_update(U.private_text(QUESTION, user_id=user_id))
        for user_id in USERS:
            await delivered(api, user_id, 1)

    # Stopped: every handler has finished, so a late duplicate would show here.
    answers = {user_id: delivered_texts(api, user_id) for user_id in USERS}
    assert all(len(sent) == 1 and is_answer(sent[0]) for sent in answers.values()), answers
    assert texts.ERROR not in api.sent_texts()  # no apology: the answer itself got through
    assert recorded_questions(settings) == len(USERS)
    failed = len(api.calls_to("sendMessage")) - len(USERS)
    assert failed >= answer_failures  # the outage really hit the answers


async def test_an_answer_older_than_the_limit_is_given_up_logged_and_counted(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    def down(params: dict[str, Any]) -> Any:
        raise ApiError(500, "Internal Server Error")

    api.handlers["sendmessage"] = down  # Telegram never recovers within the limit
    quick = settings.model_copy(update={"delivery_minutes": 0.05})  # 3 seconds
    async with running_bot(quick, api) as app:
        update = api.push_update(U.private_text(QUESTION))
        deadline = asyncio.get_running_loop().time() + 15  # a hang guard
        while app.bot_data["core"].delivery.given_up == 0:
            assert asyncio.get_running_loop().time() < deadline, "never given up"
            await asyncio.sleep(0.05)

    gave_up = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(f"update {update['update_id']}" in line for line in gave_up), gave_up
    assert 2 <= len(api.calls_to("sendMessage")) <= 4  # retried with backoff, then stopped
    assert recorded_questions(settings) == 1  # the editors still see the question


async def test_an_inline_answer_hit_by_a_dropped_connection_is_sent_again(
    settings: Settings, api: FakeBotApi
) -> None:
    async with running_bot(settings, api):
        api.drop_next("answerInlineQuery")  # e.g. an idle keep-alive connection closed under us
        update = api.push_update(U.inline_query(QUESTION))
        calls = await api.wait_for("answerInlineQuery", 2, timeout=15)

    assert update["inline_query"]["id"] not in api.open_queries  # answered
    assert calls[1].params["results"] and calls[1].params == calls[0].params


async def test_a_button_press_whose_connection_is_closed_under_it_is_still_answered(
    settings: Settings, api: FakeBotApi
) -> None:
    async with running_bot(settings, api):
        answer = await ask(api, QUESTION)
        api.drop_next("answerCallbackQuery")  # e.g. an idle keep-alive connection closed
        update = api.push_update(U.callback_query(buttons(answer)["👍"], message=answer))
        calls = await api.wait_for("answerCallbackQuery", 2, timeout=15)

    assert update["callback_query"]["id"] not in api.open_queries  # the 👍 was acknowledged
    assert calls[1].params == calls[0].params
