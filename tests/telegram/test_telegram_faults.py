"""Faults end to end: Bot API errors, timeouts, many chats at once, and the token in logs.

The real Application polls the fake Bot API over HTTP; faults are queued in the fake.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.app import RedactingFormatter, StartupFailureFilter, configure_logging
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import is_answer, replies
from tests.helpers.fake_bot_api import FakeBotApi

QUESTION = "Chính quyền số là gì?"
WAIT = 15.0  # a guard against hangs, never a performance expectation
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TOKEN_LOGGERS = ("httpx", "httpcore")  # request URLs hold the token; configure_logging mutes them


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "bot.telegram.faults" and r.levelno >= logging.ERROR
    ]


# ---------------------------------------------------------------- API errors


async def test_429_on_send_message_is_retried(settings: Settings, api: FakeBotApi, caplog):
    async with running_bot(settings, api):
        api.fail_next("sendMessage", 429, retry_after=1)
        api.push_update(U.private_text(QUESTION))
        calls = await api.wait_for("sendMessage", 2, timeout=WAIT)

    # The same answer twice at the API: refused once, then delivered by AIORateLimiter.
    assert calls[0].params == calls[1].params
    assert is_answer(calls[1].params["text"])
    delivered = [m for (chat, _), m in api.messages.items() if chat == U.USER_ID]
    assert [m["from"]["is_bot"] for m in delivered] == [False, True]
    assert error_records(caplog) == []


async def test_500_on_send_message_is_retried_without_an_apology(
    settings: Settings, api: FakeBotApi, caplog
):
    caplog.set_level(logging.WARNING, logger="bot.telegram.delivery")
    async with running_bot(settings, api):
        api.fail_next("sendMessage", 500)
        api.push_update(U.private_text(QUESTION))
        first = await replies(api, U.USER_ID, 2)  # the failed answer, then the same again
        api.push_update(U.private_text("Dịch vụ công trực tuyến mức độ 4"))
        second = await replies(api, U.USER_ID, 3)

    assert is_answer(first[0]) and first[1] == first[0]
    assert is_answer(second[2]) and texts.ERROR not in second
    assert error_records(caplog) == []
    [retry] = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.delivery"]
    assert "Internal Server Error" in retry and "thử lại sau 1 giây" in retry


async def test_send_message_timeout_is_retried(settings: Settings, api: FakeBotApi, caplog):
    """PTB's default read timeout is 5 s: an answer delayed 6 s raises TimedOut in the handler.

    The fake still delivers the slow call, as Telegram may: the citizen then sees the answer
    twice, which beats not at all (a timeout cannot tell the two apart).
    """
    async with running_bot(settings, api):
        api.delay_next("sendMessage", 6.0)
        api.push_update(U.private_text(QUESTION))
        await replies(api, U.USER_ID, 2)  # the slow answer (recorded on arrival) and the retry
        api.push_update(U.private_text("Dịch vụ công trực tuyến mức độ 4"))
        sent = await replies(api, U.USER_ID, 3)

    assert is_answer(sent[0]) and sent[1] == sent[0] and is_answer(sent[2])
    assert error_records(caplog) == []


async def test_thirty_private_chats_at_once_all_get_answers(settings: Settings, api: FakeBotApi):
    questions = [QUESTION, "Dịch vụ công trực tuyến mức độ 4 là gì?", "chinh quyen so hai phong"]
    users = range(5_000_000, 5_000_030)
    for n, user_id in enumerate(users):  # all queued before the first getUpdates
        api.push_update(U.private_text(questions[n % 3], user_id=user_id, first_name=f"U{n}"))
    async with running_bot(settings, api):
        await api.wait_for("sendMessage", len(users), timeout=WAIT * 2)
        sent = {user_id: api.sent_texts(user_id) for user_id in users}

    assert all(len(got) == 1 and is_answer(got[0]) for got in sent.values()), sent
    typed = {questions[n % 3]: sent[user_id][0] for n, user_id in enumerate(users)}
    assert all(sent[u][0] == typed[questions[n % 3]] for n, u in enumerate(users))
    assert len(api.calls_to("sendChatAction")) == len(users)


# ---------------------------------------------------------------- the token in logs


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could print for a record: message, traceback, stack."""
    parts = [record.getMessage(), record.stack_info or ""]
    if record.exc_info:
        parts += traceback.format_exception(*record.exc_info)
    return "\n".join(parts)


async def run_with_errors(settings: Settings, api: FakeBotApi) -> None:
    """A session with an answer, a 500 and a 429 (both retried), a tampered button, and a
    bad request and a blocked chat (errors: logged with their tracebacks)."""
    async with running_bot(settings, api):
        api.push_update(U.private_text(QUESTION))
        await replies(api, U.USER_ID, 1)
        api.fail_next("sendMessage", 500)
        api.push_update(U.private_text(QUESTION))
        await replies(api, U.USER_ID, 3)
        api.fail_next("sendMessage", 429, retry_after=1)
        api.push_update(U.private_text(QUESTION))
        await replies(api, U.USER_ID, 5)
        api.push_update(U.callback_query("m:zzz:1"))
        await api.wait_for("answerCallbackQuery", 1, timeout=WAIT)
        api.fail_next("sendMessage", 400, description="Bad Request: chat not found")
        api.push_update(U.private_text(QUESTION, user_id=U.USER_ID + 1))
        await replies(api, U.USER_ID + 1, 2)  # the refused answer, then the apology
        api.fail_next("sendMessage", 403)
        api.push_update(U.private_text(QUESTION, user_id=U.USER_ID + 2))
        await replies(api, U.USER_ID + 2, 2)


async def test_token_only_in_muted_loggers_at_debug(settings: Settings, api: FakeBotApi, caplog):
    """At DEBUG everywhere, the token is only in lines that run_bot's levels drop.

    Those are httpx's INFO request lines (muted to WARNING by configure_logging) and DEBUG
    lines (PTB's "Set Bot API URL"), below the root's INFO.
    """
    for name in ("", *TOKEN_LOGGERS, "telegram", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)
    await run_with_errors(settings, api)

    assert len(error_records(caplog)) >= 2  # the 400 and the 403 were logged with tracebacks
    leaking = [r for r in caplog.records if TOKEN in record_text(r)]
    assert any(r.name == "httpx" for r in leaking), "httpx logs request URLs at INFO"

    def dropped_by_run_bot(record: logging.LogRecord) -> bool:
        muted = record.name.split(".")[0] in TOKEN_LOGGERS and record.levelno < logging.WARNING
        return muted or record.levelno < logging.INFO

    assert [r.getMessage() for r in leaking if not dropped_by_run_bot(r)] == []
    redact = RedactingFormatter(FORMAT, [TOKEN])
    assert not [r for r in caplog.records if TOKEN in redact.format(r)]


@contextmanager
def configured_logging(token: str) -> Iterator[None]:
    """run_bot's configure_logging on the root logger and the handlers pytest put there, then
    everything put back (the handlers and levels are shared with the rest of the session)."""
    root = logging.getLogger()
    saved = [(h, h.formatter, list(h.filters)) for h in root.handlers]
    levels = {name: logging.getLogger(name).level for name in ("", *TOKEN_LOGGERS)}
    try:
        configure_logging(token)
        yield
    finally:
        for handler, formatter, filters in saved:
            handler.setFormatter(formatter)
            handler.filters[:] = filters
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_configured_logging_never_prints_the_token(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
):
    """run_bot's own set-up, applied to pytest's capturing handler, the root at DEBUG."""
    with configured_logging(TOKEN):
        logging.getLogger().setLevel(logging.DEBUG)  # httpx stays muted, as configured
        logging.getLogger("bot").error("token %s in a message", TOKEN)  # the formatter's job
        await run_with_errors(settings, api)

    printed = caplog.text
    assert "token [token] in a message" in printed
    assert "Lỗi khi xử lý update" in printed and "Traceback" in printed
    assert TOKEN not in printed
    assert TOKEN.split(":")[1] not in printed


async def test_an_api_error_echoing_the_token_in_another_case_or_encoded_is_scrubbed(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
):
    """Bot API errors may echo the request URL: lower-cased by PTB, or URL-encoded."""
    secret = TOKEN.split(":")[1]
    echoes = [
        f"Bad Request: url http://127.0.0.1/bot{TOKEN.lower()}/sendMessage",
        f"Bad Request: url http://127.0.0.1/bot{TOKEN.upper()}/sendMessage",
        f"Bad Request: url http://127.0.0.1/bot{quote(TOKEN, safe='').lower()}/sendMessage",
        f"Bad Request: token part {secret.swapcase()} echoed",
    ]
    with configured_logging(TOKEN):
        async with running_bot(settings, api):
            for n, echo in enumerate(echoes, start=1):
                api.fail_next("sendMessage", 400, description=echo)
                api.push_update(U.private_text(QUESTION, user_id=U.USER_ID + n))
                await replies(api, U.USER_ID + n, 2)  # the refused answer, then the apology

    printed = caplog.text.lower()
    assert printed.count("[token]") >= len(echoes), caplog.text
    assert secret.lower() not in printed
    assert quote(secret, safe="").lower() not in printed


async def test_an_outage_is_logged_with_one_traceback_per_kind_and_counts(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
):
    """Eight questions while sends fail for a while, and three failed polls: the polls get one
    traceback and then counted lines; the sends are retried, the first few failures of the kind
    in a line each, no traceback, then only counted."""
    users = range(6_000_000, 6_000_008)
    with configured_logging(TOKEN):
        async with running_bot(settings, api):
            for _ in range(3):
                api.fail_next("getUpdates", 502, description="Bad Gateway")
            for _ in range(2 * len(users)):
                api.fail_next("sendMessage", 500)
            for user_id in users:
                api.push_update(U.private_text(QUESTION, user_id=user_id))
            for user_id in users:  # Telegram is back: every question is answered after all
                await replies(api, user_id, 1)

    printed = caplog.text
    assert printed.count("Traceback") == 1, printed  # the polls' first failure only
    assert "Exception happened while polling for updates. — lần thứ 3" in printed
    retries = [line for line in printed.splitlines() if "thất bại (NetworkError(" in line]
    assert len(retries) == 5, retries  # 16 failed sends: the first five of the kind, then counted
    assert retries[-1].endswith("lỗi loại này lần thứ 5")


# ---------------------------------------------------------------- formatter and filter


def make_record(message: str, *args: Any, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, message, args, exc_info)


def raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_redacting_formatter_covers_message_args_traceback_and_stack():
    formatter = RedactingFormatter(FORMAT, [TOKEN, ""])  # an empty secret is ignored
    error = raised(InvalidToken(f"The token `{TOKEN}` was rejected by the server."))
    record = make_record("GET %s failed", f"http://x/bot{TOKEN}/getMe", exc=error)
    record.stack_info = f"Stack (most recent call last):\n  url = 'bot{TOKEN}'"

    text = formatter.format(record)

    assert TOKEN not in text
    assert "GET http://x/bot[token]/getMe failed" in text
    assert "The token `[token]` was rejected" in text and "Traceback" in text
    assert formatter.format(make_record("plain line")).endswith("plain line")


def test_startup_filter_drops_invalid_token_and_shortens_network_errors():
    startup = "Network Retry Loop (%s): Failed run number 0 of 0. Aborting."
    where = "Bootstrap Initialize Application"
    quiet = StartupFailureFilter()

    rejected = make_record(startup, where, exc=raised(InvalidToken("Unauthorized")))
    offline = make_record(startup, where, exc=raised(NetworkError("All connection attempts")))
    later = make_record("Error while getting Updates", exc=raised(NetworkError("x")))

    assert not quiet.filter(rejected)
    assert quiet.filter(offline) and offline.exc_info is None
    assert quiet.filter(later) and later.exc_info is not None  # only start-up is shortened
    assert sys.exc_info() == (None, None, None)
