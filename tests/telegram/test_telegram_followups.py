"""Follow-up questions end to end: replies to an answer, short private follow-ups, new questions
that keep their own meaning, the context after a restart and after /forget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import ask, bot_message, reply_to, visible
from tests.helpers.fake_bot_api import Call, FakeBotApi
from tests.helpers.files import DATA_DIR, make_settings

KINDS = DATA_DIR / "kinds"  # four made-up procedures, a paragraph for each aspect
MENTION = f"@{U.BOT_USERNAME}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, KINDS)


def reply(text: str, to: dict[str, Any]) -> dict[str, Any]:
    """A private message replying to the bot's message `to`."""
    return U.private_text(
        text, reply_to_message={k: v for k, v in to.items() if k != "reply_to_message"}
    )


def cites(call: Call, title: str) -> bool:
    return f"1. {title}" in visible(call) or f">{title}</a>" in call.params["text"]


async def test_a_short_private_follow_up_is_read_with_the_question_before(
    settings: Settings,
) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        await ask(api, "làm thẻ căn cước ở đâu")
        fee = await reply_to(api, U.private_text("còn lệ phí thì sao?"))
    shown = visible(fee)
    assert shown.startswith("Về: Cấp thẻ căn cước — lệ phí"), shown
    assert "30.000 đồng" in shown and cites(fee, "Cấp thẻ căn cước")
    assert fee.params["text"].startswith("<b>Về:</b> Cấp thẻ căn cước")


async def test_a_complete_new_question_is_not_mixed_with_the_old_one(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        await ask(api, "làm thẻ căn cước ở đâu")
        other = await reply_to(api, U.private_text("hồ sơ cấp hộ chiếu gồm những gì"))
    assert "Về:" not in visible(other)
    assert cites(other, "Cấp hộ chiếu phổ thông") and "tờ khai theo mẫu" in visible(other)


async def test_a_reply_to_an_answer_in_a_group_takes_that_answers_question(
    settings: Settings,
) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        await reply_to(api, U.group_text(f"{MENTION} làm hộ chiếu mất bao lâu"))
        passport = bot_message(api, U.GROUP_ID)
        # Another question in between: the reply still follows the answer it replies to.
        await reply_to(api, U.group_text(f"{MENTION} đăng ký tạm trú ở đâu"))
        fee = await reply_to(api, U.group_text("lệ phí bao nhiêu", reply_to=passport))
    assert visible(fee).startswith("Về: Cấp hộ chiếu phổ thông — lệ phí")
    assert "200.000 đồng" in visible(fee)


async def test_unaddressed_group_messages_leave_no_context(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        api.push_update(U.group_text("làm thẻ căn cước ở đâu"))  # not for the bot: not read
        fee = await reply_to(api, U.group_text(f"{MENTION} còn lệ phí thì sao?"))
    assert "Về:" not in visible(fee)


async def test_without_the_time_window_only_replies_are_follow_ups(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, KINDS, followup_minutes=0)
    async with FakeBotApi() as api, running_bot(settings, api):
        card = await ask(api, "làm thẻ căn cước ở đâu")
        alone = await reply_to(api, U.private_text("còn lệ phí thì sao?"))
        replied = await reply_to(api, reply("còn lệ phí thì sao?", card))
    assert "Về:" not in visible(alone)
    assert visible(replied).startswith("Về: Cấp thẻ căn cước — lệ phí")


async def test_the_context_survives_a_restart(settings: Settings) -> None:
    async with FakeBotApi() as api:
        async with running_bot(settings, api):
            passport = await ask(api, "hồ sơ làm hộ chiếu gồm những gì")
        async with running_bot(settings, api):
            fee = await reply_to(api, reply("lệ phí bao nhiêu", passport))
    assert visible(fee).startswith("Về: Cấp hộ chiếu phổ thông — lệ phí")


async def test_forget_removes_the_context(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        card = await ask(api, "làm thẻ căn cước ở đâu")
        await reply_to(api, U.private_text("/forget"))
        fee = await reply_to(api, reply("còn lệ phí thì sao?", card))
    assert "Về:" not in visible(fee)


async def test_a_follow_up_chains_on_the_follow_up_before(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        await ask(api, "làm thẻ căn cước ở đâu")
        await reply_to(api, U.private_text("còn lệ phí thì sao?"))
        days = await reply_to(api, U.private_text("mất mấy ngày thì có"))
    assert visible(days).startswith("Về: Cấp thẻ căn cước")
    assert "7 ngày làm việc" in visible(days)
