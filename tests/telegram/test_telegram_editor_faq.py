"""Editors answer from Telegram: /unanswered → pick a group → send the answer → an FAQ file,
a reload, the waiting citizen told once, later askers answered; /faq corrects and withdraws.
Nobody but an admin sees any of it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.core.formatting import NOT_FOUND
from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.keyboards import NOTIFY_LABEL
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import ask, bot_message, buttons, press, replies, reply_to, visible
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import DATA_DIR, make_settings

ADMIN, CITIZEN, LATER = U.USER_ID + 1, U.USER_ID, U.USER_ID + 2
QUESTION = "đăng ký hộ kinh doanh ở đâu"
ANSWER = "Bạn nộp hồ sơ tại bộ phận một cửa của UBND cấp xã nơi đặt địa điểm kinh doanh."


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = Path(shutil.copytree(DATA_DIR / "kinds", tmp_path / "knowledge"))
    return make_settings(tmp_path, folder, admin_user_ids=frozenset({ADMIN}), reload_seconds=0)


def entry_files(settings: Settings) -> list[Path]:
    return sorted((settings.knowledge_dir / "hoi-dap-bien-tap").glob("*.md"))


async def answer_the_first_group(api: FakeBotApi) -> str:
    """The admin's /unanswered, the button of group 1, and the answer sent to the prompt."""
    listed = await reply_to(api, U.private_text("/unanswered", user_id=ADMIN))
    groups, before = bot_message(api, ADMIN), len(api.sent_texts(ADMIN))
    await press(api, buttons(groups)["✍️ Trả lời câu 1"], groups, ADMIN)
    await replies(api, ADMIN, before + 1)
    prompt = bot_message(api, ADMIN)
    assert api.calls_to("sendMessage")[-1].params["reply_markup"].get("force_reply") is True
    saved = await reply_to(api, U.private_text(ANSWER, user_id=ADMIN, reply_to_message=prompt))
    return visible(listed) + "\n---\n" + prompt["text"] + "\n---\n" + visible(saved)


async def test_an_editors_answer_becomes_an_faq_entry_and_reaches_who_waited(
    settings: Settings,
) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        missing = await ask(api, QUESTION)
        await press(api, buttons(missing)[NOTIFY_LABEL], missing)
        await ask(api, QUESTION, user_id=LATER)
        flow = await answer_the_first_group(api)
        told = (await replies(api, CITIZEN, 3))[-1]
        later = await ask(api, "đăng ký hộ kinh doanh nộp ở đâu", user_id=LATER)

    listed, prompt, saved = flow.split("\n---\n")
    assert f"1. «{QUESTION}» — 2 lượt" in listed
    assert QUESTION in prompt and "Trả lời tin này" in prompt
    assert saved.startswith("Đã lưu mục hỏi đáp vào tệp")
    [path] = entry_files(settings)
    text = path.read_text(encoding="utf-8")
    assert "type: faq" in text and f"published: '{date.today().isoformat()}'" in text
    assert "author: Lan" in text and f"## {QUESTION}\n\n{ANSWER}\n" in text
    assert told.startswith("🔔") and "bộ phận một cửa của UBND cấp xã" in told
    assert later["text"].startswith(f"Về: {QUESTION}") and ANSWER in later["text"]


async def test_faq_lists_corrects_and_withdraws(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        await ask(api, QUESTION)
        await answer_the_first_group(api)
        listed = await reply_to(api, U.private_text("/faq", user_id=ADMIN))
        fixed = await reply_to(
            api, U.private_text("/faq sua 1 Nộp tại UBND cấp xã.", user_id=ADMIN)
        )
        corrected = await ask(api, QUESTION, user_id=LATER)
        gone = await reply_to(api, U.private_text("/faq xoa 1", user_id=ADMIN))
        again = await ask(api, QUESTION, user_id=LATER + 1)

    assert f"1. «{QUESTION}» — {date.today().isoformat()}, Lan" in visible(listed)
    assert visible(fixed) == texts.FAQ_CORRECTED.format(question=QUESTION)
    assert "Nộp tại UBND cấp xã." in corrected["text"]
    assert visible(gone) == texts.FAQ_WITHDRAWN.format(question=QUESTION)
    assert entry_files(settings) == [] and NOT_FOUND in again["text"]


async def test_nobody_else_sees_any_of_it(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        await ask(api, QUESTION)
        listed = await reply_to(api, U.private_text("/unanswered"))
        faq = await reply_to(api, U.private_text("/faq"))
        message = bot_message(api, CITIZEN)
        forged = await press(api, "u:30:0", message)
        after = list(api.sent_texts(CITIZEN))
    for call in (listed, faq):
        assert QUESTION not in visible(call) and "hỏi đáp" not in visible(call).lower()
    assert forged.params["text"] == texts.EXPIRED
    assert not any("Trả lời tin này" in t for t in after)


async def test_the_unanswered_list_pages_five_groups_at_a_time(settings: Settings) -> None:
    topics = ["bến xe", "chợ đêm", "bãi biển", "sân bay", "nhà hát", "bảo tàng", "công viên"]
    async with FakeBotApi() as api, running_bot(settings, api):
        for n, topic in enumerate(topics):
            await ask(api, f"giờ mở cửa {topic}", user_id=LATER + n)
        await reply_to(api, U.private_text("/unanswered", user_id=ADMIN))
        first = bot_message(api, ADMIN)
        pressed = await press(api, buttons(first)["Sau ▶"], first, ADMIN)
        assert pressed.params.get("text") is None, pressed.params
        await api.wait_for("editMessageText", 1)
        second = bot_message(api, ADMIN, first["message_id"])
    assert "trang 1/2" in first["text"] and len([b for b in buttons(first) if "✍️" in b]) == 5
    assert "trang 2/2" in second["text"] and "6. «" in second["text"]
    assert "◀ Trước" in buttons(second) and "Sau ▶" not in buttons(second)
