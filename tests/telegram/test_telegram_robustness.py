"""What a server can send: malformed updates and failing handlers are logged once with their
update id, the citizen gets an apology where there is a chat, and serving goes on. Also the
group privacy mode line at start-up. The real Application polls the fake Bot API over HTTP.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from unittest.mock import ANY

import pytest

from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.app import PRIVACY_OFF, PRIVACY_ON
from bot.telegram.faults import REPEAT_EVERY, FailureLog, sanitize_updates
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import is_answer, replies
from tests.helpers.fake_bot_api import FakeBotApi

QUESTION = "Chính quyền số là gì?"
WAIT = 15.0  # a guard against hangs, never a performance expectation
STRANGER, NAMELESS = U.USER_ID + 1, U.USER_ID + 2


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Error lines of the error handler (and anything PTB itself logged at ERROR or worse)."""
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.split(".")[0] in ("bot", "telegram")
    ]


def without_date(chat_id: int) -> dict[str, object]:
    """A private message PTB cannot read (Message needs `date`), its chat still known."""
    body = U.private_text(QUESTION, user_id=chat_id)["message"]
    return {"message": {k: v for k, v in body.items() if k != "date"}}


def without_chat() -> dict[str, object]:
    """A message PTB reads, but with no chat to answer (or to filter on)."""
    body = U.private_text(QUESTION)["message"]
    return {"message": {k: v for k, v in body.items() if k != "chat"}}


MALFORMED = {
    "message without date": without_date(STRANGER),
    "message without chat": without_chat(),
    "message is a string": {"message": "oops"},
    "sender without id": {"message": U.private_text(QUESTION, NAMELESS)["message"] | {"from": {}}},
}


# ---------------------------------------------------------------- malformed updates


async def test_malformed_updates_are_logged_once_and_serving_goes_on(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    # All in one getUpdates batch before the question: one bad update used to fail the batch.
    broken = {name: api.push_raw(update)["update_id"] for name, update in MALFORMED.items()}
    api.push_raw({"future_update_kind": {"id": 1}})  # a kind this PTB does not know
    async with running_bot(settings, api):
        api.push_update(U.private_text(QUESTION))
        [answer] = await replies(api, U.USER_ID, 1)
        apologies = [await replies(api, chat, 1) for chat in (STRANGER, NAMELESS)]

    assert is_answer(answer)
    assert apologies == [[texts.ERROR]] * 2  # broken private messages: their chat is told
    logged = [r.getMessage() for r in failures(caplog)]
    for name, update_id in broken.items():
        [line] = [m for m in logged if f"update {update_id}:" in m]
        assert "MalformedUpdate" in line, name
    assert len(logged) == len(broken)  # the unknown kind is simply ignored
    assert not any(r.exc_info for r in failures(caplog))  # a line each, no traceback
    assert api.updates == []  # every update was confirmed: none will come again


async def test_a_callback_query_without_message_or_data_is_answered(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
):
    query = {"id": "4100", "from": U.user(), "chat_instance": "ci1"}
    async with running_bot(settings, api):
        api.open_queries.add(query["id"])  # push_raw does no bookkeeping
        api.push_raw({"callback_query": query})
        [call] = await api.wait_for("answerCallbackQuery", 1, timeout=WAIT)
        api.push_update(U.private_text(QUESTION))
        [answer] = await replies(api, U.USER_ID, 1)

    assert call.params["text"] == texts.EXPIRED and is_answer(answer)
    assert failures(caplog) == []


async def test_identical_handler_failures_log_one_traceback(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
):
    """A `text` that is a number passes PTB's parsing and fails inside the answering code."""
    users = range(6_000_000, 6_000_005)
    async with running_bot(settings, api):
        ids: list[int] = []
        for user_id in users:
            update = U.private_text("x", user_id=user_id)
            update["message"]["text"] = 12345
            ids.append(api.push_raw(update)["update_id"])
            assert await replies(api, user_id, 1) == [texts.ERROR]
        api.push_update(U.private_text(QUESTION))
        [answer] = await replies(api, U.USER_ID, 1)

    assert is_answer(answer)
    records = failures(caplog)
    assert len(records) == len(users)  # one line per failure while they are few
    assert len([r for r in records if r.exc_info]) == 1
    assert "Traceback" not in "".join(r.getMessage() for r in records)
    for update_id in ids:
        assert any(f"update {update_id}:" in r.getMessage() for r in records)
    assert "lần thứ 5" in records[-1].getMessage()


def raise_here(n: int) -> BaseException:
    """The same exception type raised from the same line every time."""
    try:
        raise TimeoutError(f"lần {n}")
    except TimeoutError as exc:
        return exc


def test_failure_log_thins_out_repeats(caplog: pytest.LogCaptureFixture):
    log = FailureLog()
    with caplog.at_level(logging.ERROR, logger="bot.telegram.faults"):
        for n in range(1, 2 * REPEAT_EVERY + 1):
            log.record(raise_here(n), update_id=n)
        log.record(ValueError("khác"), update_id=999)  # another failure: in full again

    records = caplog.records
    counted = [1, 2, 3, 4, 5, REPEAT_EVERY, 2 * REPEAT_EVERY, 999]
    assert [int(r.args[0]) for r in records] == counted  # type: ignore[index]
    assert [bool(r.exc_info) for r in records] == [True] + [False] * 6 + [True]


def test_sanitize_keeps_good_answers_byte_for_byte():
    good = b'{"ok": true, "result": [{"update_id": 5, "message": {"message_id": 1, "date": 1,'
    good += b' "chat": {"id": 1, "type": "private"}, "text": "hi"}}]}'
    assert sanitize_updates(good) is good
    assert sanitize_updates(b"<html>502</html>") == b"<html>502</html>"
    broken = b'{"ok": true, "result": [{"update_id": 1, "message": {}}]}'
    assert json.loads(sanitize_updates(broken))["result"] == [
        {"update_id": 1, "egov_malformed_update": {"problem": ANY, "chat_id": None}}
    ]


# ---------------------------------------------------------------- group privacy mode


@pytest.mark.parametrize("reads_all", [False, True])
async def test_start_up_logs_the_group_privacy_mode(
    settings: Settings, caplog: pytest.LogCaptureFixture, reads_all: bool
):
    caplog.set_level(logging.INFO, logger="bot.telegram.app")
    async with (
        FakeBotApi(token=TOKEN, can_read_all_group_messages=reads_all) as api,
        running_bot(settings, api),
    ):
        pass

    lines = [r.getMessage() for r in caplog.records if "riêng tư" in r.getMessage()]
    assert lines == [PRIVACY_OFF if reads_all else PRIVACY_ON]
