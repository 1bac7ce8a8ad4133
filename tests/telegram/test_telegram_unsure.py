"""An answer the bot is not sure of says so in Telegram too, and still gives the contact."""

from __future__ import annotations

from pathlib import Path

from bot.core.formatting import UNSURE, UNSURE_CONTACT
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import ask
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import DATA_DIR, make_settings


async def test_an_unsure_answer_is_hedged_and_a_sure_one_is_not(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, DATA_DIR / "decision", contact_line="Gọi 1022 <miễn phí>")
    async with FakeBotApi() as api, running_bot(settings, api):
        unsure = await ask(api, "đăng ký kết hôn với người nước ngoài")
        sure = await ask(api, "đăng ký kết hôn ở đâu")
    assert UNSURE in unsure["text"] and "1. Đăng ký kết hôn" in unsure["text"]
    assert f"{UNSURE_CONTACT} Gọi 1022 <miễn phí>" in unsure["text"]  # escaped, then shown
    assert UNSURE not in sure["text"] and "Gọi 1022" not in sure["text"]
