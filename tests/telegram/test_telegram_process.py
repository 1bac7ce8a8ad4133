"""`python -m bot run` as a real subprocess against the fake Bot API: polling, signals,
bad tokens and webhook mode. Waits are on the fake's recorded calls; timeouts are only guards.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.bot_process import START, WAIT, Finished, free_port, polling, post_update
from tests.helpers.bot_runner import TOKEN
from tests.helpers.fake_bot_api import ApiError, FakeBotApi

QUESTION = "Chính quyền số là gì?"


def assert_clean(done: Finished) -> None:
    assert TOKEN not in done.output
    assert TOKEN.split(":")[1] not in done.output
    assert "Traceback" not in done.output, done.output


def is_answer(text: str) -> bool:
    return "Nguồn:" in text and texts.ERROR not in text


# ---------------------------------------------------------------- polling


def test_answers_a_private_question_and_stops_on_sigterm(api: FakeBotApi, launch):
    bot = launch(**polling(api))
    api.push_update(U.private_text(QUESTION))
    [answer] = api.wait_for_sync("sendMessage", 1, timeout=START)
    bot.signal(signal.SIGTERM)
    done = bot.finish()

    assert done.code == 0, done.output
    assert answer.params["chat_id"] == U.USER_ID and is_answer(answer.params["text"])
    assert answer.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "👍"
    assert [c["command"] for c in api.commands[json.dumps([{"type": "default"}, ""])]] == [
        "start",
        "ask",
        "sources",
        "help",
        "about",
        "privacy",
        "forget",
    ]
    assert "sẵn sàng" in done.output  # INFO logging is on: the ready line
    assert_clean(done)


def test_sigterm_while_answering_still_delivers_the_answer(api: FakeBotApi, launch):
    bot = launch(**polling(api))
    api.wait_for_sync("getUpdates", 1, timeout=START)  # polling, signal handlers installed
    # Slow the API so the handler is mid-way when the signal arrives: its typing action
    # answers after 1 s, and the answer itself takes another second.
    api.delay_next("sendChatAction", 1.0)
    api.delay_next("sendMessage", 1.0)
    update = api.push_update(U.private_text(QUESTION))
    api.wait_for_sync("sendChatAction", 1, timeout=WAIT)  # the handler has started
    bot.signal(signal.SIGTERM)
    done = bot.finish()

    # The answer was sent after SIGTERM (the handler was still awaiting the typing action).
    [answer] = api.calls_to("sendMessage")
    assert is_answer(answer.params["text"])
    assert any(m["from"]["is_bot"] for (chat, _), m in api.messages.items() if chat == U.USER_ID)
    assert done.code == 0, done.output
    # The update was confirmed to the server: a restart would not answer it a second time.
    assert all(u["update_id"] != update["update_id"] for u in api.updates)
    assert_clean(done)


def test_sigint_stops_with_exit_code_0(api: FakeBotApi, launch):
    bot = launch(**polling(api))
    api.wait_for_sync("getUpdates", 1, timeout=START)
    bot.signal(signal.SIGINT)
    done = bot.finish()

    assert done.code == 0, done.output
    assert_clean(done)


# ---------------------------------------------------------------- bad tokens


def single_line(done: Finished) -> str:
    lines = [line for line in done.output.splitlines() if line.strip()]
    assert len(lines) == 1, done.output
    return lines[0]


def test_missing_token_is_one_clear_line(launch):
    done = launch().finish()

    assert done.code == 2
    assert "TELEGRAM_BOT_TOKEN" in single_line(done) and "Thiếu" in done.output
    assert_clean(done)


@pytest.mark.parametrize("token", ["not-a-token", "987654321", "12:short", f" x{TOKEN}"])
def test_malformed_token_is_refused_before_any_request(api: FakeBotApi, launch, token: str):
    done = launch(TELEGRAM_BOT_TOKEN=token, TELEGRAM_BASE_URL=api.base_url).finish()

    assert done.code == 2
    assert "TELEGRAM_BOT_TOKEN" in single_line(done) and "sai định dạng" in done.output
    assert token.strip() not in done.output
    assert api.calls == []
    assert_clean(done)


def test_token_rejected_by_the_server_is_one_clear_line(api: FakeBotApi, launch):
    def unauthorized(params: dict[str, Any]) -> Any:
        raise ApiError(401, "Unauthorized")

    api.handlers["getme"] = unauthorized
    done = launch(**polling(api)).finish(timeout=START)

    assert done.code == 2
    assert "TELEGRAM_BOT_TOKEN" in single_line(done) and "từ chối" in done.output
    assert [c.method for c in api.calls] == ["getMe"]
    assert_clean(done)


# ---------------------------------------------------------------- webhook


def test_webhook_mode_checks_the_secret(api: FakeBotApi, launch):
    port = free_port()
    public = "https://bot.example.gov.vn/tg"  # what Telegram calls; never contacted here
    url = f"http://127.0.0.1:{port}/tg"  # where the bot listens behind the HTTPS proxy
    bot = launch(
        **polling(api),
        WEBHOOK_URL=public,
        WEBHOOK_PORT=str(port),
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_SECRET="s3cret",
    )
    [hook] = api.wait_for_sync("setWebhook", 1, timeout=START)
    stranger, citizen = U.USER_ID + 7, U.USER_ID

    refused = [
        post_update(url, api.push_update(U.private_text(QUESTION, user_id=stranger)), secret)
        for secret in ("wrong", None, "")
    ]
    accepted = post_update(url, api.push_update(U.private_text(QUESTION)), "s3cret")
    [answer] = api.wait_for_sync("sendMessage", 1, timeout=WAIT)
    bot.signal(signal.SIGTERM)
    done = bot.finish()

    assert hook.params["url"] == public and hook.params["secret_token"] == "s3cret"
    assert refused == [403, 403, 403] and accepted == 200
    assert answer.params["chat_id"] == citizen and is_answer(answer.params["text"])
    assert api.sent_texts(stranger) == []
    assert not api.calls_to("getUpdates")  # webhook mode never polls
    assert done.code == 0, done.output
    assert_clean(done)


def test_webhook_without_a_secret_generates_one_and_refuses_forged_posts(api: FakeBotApi, launch):
    """Without WEBHOOK_SECRET a forged /stats from an admin's id must not be believed."""
    port, admin = free_port(), U.USER_ID + 42
    url = f"http://127.0.0.1:{port}/tg"
    bot = launch(
        **polling(api),
        WEBHOOK_URL="https://bot.example.gov.vn/tg",
        WEBHOOK_PORT=str(port),
        WEBHOOK_LISTEN="127.0.0.1",
        ADMIN_USER_IDS=str(admin),
    )
    [hook] = api.wait_for_sync("setWebhook", 1, timeout=START)
    secret = hook.params.get("secret_token")
    forged = [
        post_update(url, api.push_update(U.private_text("/stats", user_id=admin)), guess)
        for guess in (None, "", "s3cret")
    ]
    accepted = post_update(url, api.push_update(U.private_text(QUESTION)), secret)
    [answer] = api.wait_for_sync("sendMessage", 1, timeout=WAIT)
    bot.signal(signal.SIGTERM)
    done = bot.finish()

    assert secret and len(secret) >= 32
    assert forged == [403, 403, 403] and accepted == 200
    assert answer.params["chat_id"] == U.USER_ID and api.sent_texts(admin) == []
    assert "WEBHOOK_SECRET chưa đặt" in done.output and secret not in done.output
    assert done.code == 0, done.output
    assert_clean(done)


def test_an_empty_knowledge_folder_stops_start_up_with_one_line(
    api: FakeBotApi, launch, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    bot = launch(**polling(api), KNOWLEDGE_DIR=str(tmp_path / "empty"))
    done = bot.finish(timeout=START)

    assert done.code == 2, done.output
    assert_clean(done)
    assert "Kho tri thức trống" in done.output and "không có bài viết nào" in done.output
    assert not api.calls_to("getUpdates") and not api.calls_to("sendMessage")


# ---------------------------------------------------------------- Telegram not reachable yet

RETRY = "Chưa kết nối được Telegram tại"


def test_waits_for_telegram_with_backoff_then_answers(launch):
    """Nothing listens on the port at first; the fake Bot API starts after two failures."""
    port = free_port()
    address = f"http://127.0.0.1:{port}/bot"
    bot = launch(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=address)
    failed = bot.wait_for_lines(RETRY, 2)
    with FakeBotApi(token=TOKEN).start(port) as api:
        api.push_update(U.private_text(QUESTION))
        [answer] = api.wait_for_sync("sendMessage", 1, timeout=START)
        bot.signal(signal.SIGTERM)
        done = bot.finish()

    assert is_answer(answer.params["text"])
    assert done.code == 0, done.output
    assert all(f"tại {address} (NetworkError:" in line for line in failed), failed
    assert "thử lại sau 1 giây" in failed[0] and "thử lại sau 2 giây" in failed[1]
    assert "sẵn sàng" in done.output
    assert_clean(done)


def test_sigterm_while_waiting_for_telegram_exits_0(api: FakeBotApi, launch):
    """The Bot API answers 502 (a proxy whose upstream is down) until the signal comes."""

    def bad_gateway(params: dict[str, Any]) -> Any:
        raise ApiError(502, "Bad Gateway")

    api.handlers["getme"] = bad_gateway
    bot = launch(**polling(api))
    [failed] = bot.wait_for_lines(RETRY, 1)
    bot.signal(signal.SIGTERM)
    done = bot.finish()

    assert done.code == 0, done.output
    assert f"tại {api.base_url} (NetworkError: Bad Gateway)" in failed
    assert "Đã dừng theo tín hiệu" in done.output
    assert {c.method for c in api.calls} == {"getMe"}
    assert_clean(done)


# ---------------------------------------------------------------- malformed updates


def test_malformed_update_is_logged_with_its_id_and_sigterm_still_stops(api: FakeBotApi, launch):
    bot = launch(**polling(api))
    api.wait_for_sync("getUpdates", 1, timeout=START)
    broken = api.push_raw({"message": {"message_id": 1, "chat": U.private_chat()}})
    api.push_update(U.private_text(QUESTION))
    sent = api.wait_for_sync("sendMessage", 2, timeout=WAIT)
    bot.signal(signal.SIGTERM)
    done = bot.finish()

    texts_sent = [c.params["text"] for c in sent]
    assert texts.ERROR in texts_sent and any(is_answer(t) for t in texts_sent)
    assert f"update {broken['update_id']}: MalformedUpdate" in done.output
    assert done.code == 0, done.output
    assert_clean(done)
