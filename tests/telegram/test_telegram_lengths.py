"""Telegram counts message lengths in UTF-16 units: an emoji outside the BMP counts two.

The fake Bot API refuses texts over 4096 units (sendMessage, editMessageText, inline results'
message_text), as Telegram does; answers from a passage full of such characters still arrive.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.settings import Settings
from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import WAIT, wait_call
from tests.helpers.fake_bot_api import FakeBotApi, TelegramHtml
from tests.helpers.files import make_settings, markdown, write

TITLE = "Cấp giấy phép xây dựng nhà ở riêng lẻ (dữ liệu thử nghiệm)"
QUESTION = "hồ sơ cấp giấy phép xây dựng nhà ở riêng lẻ gồm những gì"
LIMIT = 4096


def emoji_settings(tmp_path: Path) -> Settings:
    """A made-up article whose passages are mostly emoji: a few thousand characters, twice
    as many UTF-16 units."""
    words = ["giấy", "phép", "xây", "dựng", "🏠" * 200] * 40
    text = "Hồ sơ cấp giấy phép xây dựng nhà ở riêng lẻ gồm " + " ".join(words) + "."
    folder = tmp_path / "emoji"
    write(folder / "gpxd.md", markdown(TITLE, [text], url="https://example.gov.vn/gpxd"))
    return make_settings(tmp_path, folder)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def seen(text: str) -> str:
    return TelegramHtml().parse(text)


async def last_part(api: FakeBotApi) -> None:
    """Wait for the part carrying the buttons: an answer's last."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while not any("reply_markup" in c.params for c in api.calls_to("sendMessage")):
        assert asyncio.get_running_loop().time() < deadline, api.calls_to("sendMessage")
        await asyncio.sleep(0.01)


async def test_a_long_emoji_answer_arrives_in_parts_within_the_limit(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api, running_bot(emoji_settings(tmp_path), api):
        api.push_update(U.private_text(QUESTION))
        await last_part(api)
        sent = api.sent_texts(U.USER_ID)

    parts = [seen(text) for text in sent]
    assert len(parts) >= 2 and all(units(part) <= LIMIT for part in parts)
    assert texts.ERROR not in sent and "Nguồn:" in parts[-1]
    assert sum(units(part) for part in parts) > LIMIT  # really one answer, split


async def test_inline_results_fit_telegrams_limit_with_their_citation(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api, running_bot(emoji_settings(tmp_path), api):
        api.push_update(U.inline_query(QUESTION))
        call = await wait_call(api, "answerInlineQuery")

    results = call.params["results"]
    contents = [seen(r["input_message_content"]["message_text"]) for r in results]
    assert results and all(units(text) <= LIMIT for text in contents)
    assert all(TITLE in text.splitlines()[-1] for text in contents)
    assert all("…" in text for text in contents)  # the passage was cut, not the citation
    assert not api.open_queries  # the fake accepted the answer
