"""'Báo cho tôi khi có câu trả lời' end to end: subscribe, the knowledge base learns the answer,
the citizen is told once and the chat id is gone; /forget and groups."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.keyboards import NOTIFY_LABEL
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import ask, buttons, press, replies, reply_to, visible, wait_call
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import DATA_DIR, make_settings, markdown, write

ADMIN = U.USER_ID + 1
CITIZEN = U.USER_ID
QUESTION = "đăng ký hộ kinh doanh ở đâu"
NEAR_MISS = "đổi thẻ căn cước khi thay đổi họ tên"  # close to the card article, not answered
ARTICLE = markdown(  # made-up test wording, not official guidance
    "Đăng ký hộ kinh doanh",
    ["Hộ kinh doanh nộp hồ sơ đăng ký hộ kinh doanh tại bộ phận một cửa cấp xã nơi đặt trụ sở."],
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = Path(shutil.copytree(DATA_DIR / "kinds", tmp_path / "knowledge"))
    return make_settings(tmp_path, folder, admin_user_ids=frozenset({ADMIN}), reload_seconds=0)


def waiting(settings: Settings) -> list[tuple[int, int]]:
    with sqlite3.connect(settings.db_path) as db:
        return db.execute("SELECT question_id, chat_id FROM subscriptions").fetchall()


async def test_a_subscriber_is_told_once_when_the_answer_arrives(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        missing = await ask(api, QUESTION)
        pressed = await press(api, buttons(missing)[NOTIFY_LABEL], missing)
        said = (await replies(api, CITIZEN, 2))[-1]
        kept = waiting(settings)
        write(settings.knowledge_dir / "ho-kinh-doanh.md", ARTICLE)
        await reply_to(api, U.private_text("/reload", user_id=ADMIN))
        told = (await replies(api, CITIZEN, 3))[-1]
        await reply_to(api, U.private_text("/reload", user_id=ADMIN))
        after = list(api.sent_texts(CITIZEN))

    assert pressed.params["text"] == texts.SUBSCRIBED_SHORT and said == texts.SUBSCRIBED
    assert kept == [(1, CITIZEN)]
    assert told.startswith(f"🔔 Câu hỏi bạn gửi trước đây đã có câu trả lời:\n«{QUESTION}»")
    assert "bộ phận một cửa cấp xã" in told and "Đăng ký hộ kinh doanh" in told
    assert len(after) == 3  # told once, not again at the next reload
    assert waiting(settings) == []  # the chat id is gone


async def test_forget_deletes_the_subscription(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        missing = await ask(api, QUESTION)
        await press(api, buttons(missing)[NOTIFY_LABEL], missing)
        # The "subscribed" message follows the button's answer: /forget's reply must not be it.
        await wait_call(api, "sendMessage", text=texts.SUBSCRIBED)
        await reply_to(api, U.private_text("/forget"))
    assert waiting(settings) == []


async def test_groups_get_no_subscribe_button(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        call = await reply_to(api, U.group_text(f"@{U.BOT_USERNAME} {NEAR_MISS}"))
    labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "Xin lỗi" in visible(call)
    assert "Cấp thẻ căn cước" in labels and NOTIFY_LABEL not in labels  # only the suggestion
