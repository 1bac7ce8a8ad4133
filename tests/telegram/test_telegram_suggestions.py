"""'Did you mean' buttons under a "not found": pressing one asks about that article."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.formatting import NOT_FOUND, SUGGEST, UNCLEAR
from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.keyboards import NOTIFY_LABEL
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import ask, buttons, press, replies
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import DATA_DIR, make_settings

NEAR_MISS = "đổi thẻ căn cước khi thay đổi họ tên"  # close to the card article, not answered
OFF_TOPIC = "giá vàng hôm nay"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, DATA_DIR / "kinds")


async def test_the_nearest_articles_are_buttons_that_answer_when_pressed(
    settings: Settings,
) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        missing = await ask(api, NEAR_MISS)
        offered = buttons(missing)
        pressed = await press(api, offered["Cấp thẻ căn cước"], missing)
        sent = await replies(api, U.USER_ID, 2)

    assert NOT_FOUND in missing["text"] and SUGGEST in missing["text"]
    assert "• Cấp thẻ căn cước" not in missing["text"]  # the titles are buttons, not a list
    assert "Cấp thẻ căn cước" in offered and len(offered) <= 4  # at most three titles and 🔔
    assert pressed.params.get("text") is None  # no "expired": the press was taken
    assert "Nguồn:" in sent[-1] and "1. Cấp thẻ căn cước" in sent[-1]


async def test_a_suggestion_pressed_from_another_chat_is_expired(settings: Settings) -> None:
    other = U.USER_ID + 5
    async with FakeBotApi() as api, running_bot(settings, api):
        missing = await ask(api, NEAR_MISS)
        forged = dict(missing, chat=U.private_chat(other))
        answer = await press(api, buttons(missing)["Cấp thẻ căn cước"], forged, user_id=other)
    assert answer.params["text"] == texts.EXPIRED
    assert api.sent_texts(other) == []


async def test_an_off_topic_question_is_offered_no_article(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        missing = await ask(api, OFF_TOPIC)
    assert NOT_FOUND in missing["text"] and SUGGEST not in missing["text"]
    assert list(buttons(missing)) == [NOTIFY_LABEL]  # still "tell me when there is an answer"


async def test_a_question_naming_no_topic_is_asked_back_with_buttons(settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(settings, api):
        asked = await ask(api, "nộp hồ sơ ở đâu ạ")
        offered = buttons(asked)
        pressed = await press(api, offered["Đăng ký khai sinh"], asked)
        sent = await replies(api, U.USER_ID, 2)
    assert UNCLEAR in asked["text"] and NOT_FOUND not in asked["text"]
    assert "Đăng ký khai sinh" in offered and NOTIFY_LABEL not in offered  # nothing to wait for
    assert pressed.params.get("text") is None
    assert "1. Đăng ký khai sinh" in sent[-1]
