"""`kill -9` with questions in flight (received, confirmed to Telegram, answers not delivered):
after the restart every question is answered exactly once, in polling and in webhook mode.

The fake Bot API holds the answers; the killed process's held calls are never run (their
connections died with it), like a request lost in the crash.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.helpers import updates as U
from tests.helpers.bot_process import START, BotProcess, free_port, polling, post_update
from tests.helpers.conversation import delivered_texts, is_answer
from tests.helpers.fake_bot_api import FakeBotApi

QUESTION = "Chính quyền số là gì?"
CHATS = [U.USER_ID + i for i in range(60)]  # one question per chat: no flood limit involved
SECRET = "s3cret"


def wait_until(condition: Any, what: str, timeout: float = START) -> None:
    """Poll `condition()` (a guard against hangs, never a speed expectation)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def kill_with_answers_in_flight(api: FakeBotApi, bot: BotProcess, count: int) -> None:
    """Once `count` answers are held at the fake: SIGKILL, then let the fake serve again."""
    api.wait_for_sync("sendMessage", count, timeout=START)
    bot.proc.kill()
    bot.finish()
    wait_until(lambda: len(api.dropped) >= count, "the killed bot's answers to be dropped")
    api.release("sendMessage")


def answers_per_chat(api: FakeBotApi, chats: list[int]) -> dict[int, list[str]]:
    return {chat: delivered_texts(api, chat) for chat in chats}


def all_answered(api: FakeBotApi, chats: list[int]) -> bool:
    return all(answers_per_chat(api, chats).values())


def assert_once_each(api: FakeBotApi, chats: list[int]) -> None:
    answers = answers_per_chat(api, chats)
    twice = {chat: len(sent) for chat, sent in answers.items() if len(sent) != 1}
    assert twice == {}, f"chats without exactly one answer: {twice}"
    assert all(is_answer(sent[0]) for sent in answers.values())


def stop(bot: BotProcess) -> str:
    bot.signal(signal.SIGTERM)
    done = bot.finish()
    assert done.code == 0, done.output
    return done.output


def recorded_questions(folder: Path) -> int:
    with sqlite3.connect(folder / "data" / "bot.db") as db:  # where `launch` keeps the DB
        return int(db.execute("SELECT COUNT(*) FROM questions").fetchone()[0])


def test_kill_9_in_polling_loses_no_question(api: FakeBotApi, launch, tmp_path: Path) -> None:
    bot = launch(**polling(api))
    api.wait_for_sync("getUpdates", 1, timeout=START)
    api.hold("sendMessage")
    for chat in CHATS:
        api.push_update(U.private_text(QUESTION, user_id=chat))
    kill_with_answers_in_flight(api, bot, len(CHATS))
    confirmed = api.updates == []  # Telegram would not send any of them again

    restarted = launch(**polling(api))
    wait_until(lambda: all_answered(api, CHATS), "every question to be answered")
    output = stop(restarted)
    # A third start answers a new question and nothing of the old ones again.
    third = launch(**polling(api))
    api.push_update(U.private_text(QUESTION, user_id=U.USER_ID + 1000))
    wait_until(lambda: all_answered(api, [U.USER_ID + 1000]), "the new question's answer")
    stop(third)

    assert confirmed
    assert f"Trả lời {len(CHATS)} câu hỏi nhận trước" in output
    assert_once_each(api, [*CHATS, U.USER_ID + 1000])
    assert recorded_questions(tmp_path) == len(CHATS) + 1  # a replay is not logged again


def test_kill_9_in_webhook_mode_loses_no_question_and_a_resent_update_is_answered_once(
    api: FakeBotApi, launch
) -> None:
    port, chats = free_port(), CHATS[:20]
    url = f"http://127.0.0.1:{port}/tg"
    webhook = polling(api) | {
        "WEBHOOK_URL": "https://bot.example.gov.vn/tg",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_SECRET": SECRET,
    }
    bot = launch(**webhook)
    api.wait_for_sync("setWebhook", 1, timeout=START)
    api.hold("sendMessage")
    sent = [api.push_update(U.private_text(QUESTION, user_id=chat)) for chat in chats]
    statuses = [post_update(url, update, SECRET) for update in sent]  # 200: kept first
    kill_with_answers_in_flight(api, bot, len(chats))

    restarted = launch(**webhook)
    api.wait_for_sync("setWebhook", 2, timeout=START)
    # Telegram sends some again (e.g. a 200 it never got); they must not be answered twice.
    again = [post_update(url, update, SECRET) for update in sent[:5]]
    wait_until(lambda: all_answered(api, chats), "every question to be answered")
    stop(restarted)

    assert statuses == [200] * len(chats) and again == [200] * 5
    assert_once_each(api, chats)
