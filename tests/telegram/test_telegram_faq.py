"""FAQ files end to end in Telegram: the fake Bot API, the real Application, a real SQLite file."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.formatting import NOT_FOUND
from bot.settings import Settings
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import WAIT, bot_message, buttons, press, reply_to, visible
from tests.helpers.fake_bot_api import Call, FakeBotApi
from tests.helpers.files import FAQ_DIR, FAQ_ID_TITLE, SEED_KNOWLEDGE, make_settings

LOST_CARD = "Mất thẻ căn cước thì phải làm sao?"
FIRST_SENTENCE = "Bạn đến bộ phận tiếp nhận gần nhất để đề nghị cấp lại thẻ."
CITATION = f'1. <a href="https://example.gov.vn/hoi-dap/can-cuoc">{FAQ_ID_TITLE}</a> — 10/06/2024'


@pytest.fixture
def faq_settings(tmp_path: Path) -> Settings:
    """The seed article beside the two test FAQ files."""
    folder = Path(shutil.copytree(SEED_KNOWLEDGE, tmp_path / "knowledge"))
    for path in FAQ_DIR.glob("*.md"):
        shutil.copy(path, folder)
    return make_settings(tmp_path, folder)


@pytest.fixture
async def api(faq_settings: Settings) -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake, running_bot(faq_settings, fake):
        yield fake


def confidences(settings: Settings) -> list[float | None]:
    with sqlite3.connect(settings.db_path) as db:
        return [r[0] for r in db.execute("SELECT confidence FROM questions ORDER BY id")]


async def test_a_paraphrase_gets_the_pair_says_what_it_is_about_and_cites_the_faq(
    api: FakeBotApi, faq_settings: Settings
) -> None:
    accented = await reply_to(api, U.private_text("Bị mất căn cước thì phải làm gì?"))
    unaccented = await reply_to(api, U.private_text("bi mat can cuoc thi phai lam gi"))

    for call in (accented, unaccented):
        text = call.params["text"]
        assert text.startswith(f"<b>Về:</b> {LOST_CARD}\n\n"), text
        assert CITATION in text
        shown = visible(call)
        assert shown.startswith(f"Về: {LOST_CARD}\n\n{FIRST_SENTENCE}")
        assert [label for label, _ in buttons_of(call)][:2] == ["👍", "👎"]
    assert visible(accented) == visible(unaccented)
    assert all(
        c is not None and c >= faq_settings.min_confidence for c in confidences(faq_settings)
    )


@pytest.mark.parametrize("question", ["Mất giấy phép lái xe thì làm sao?", "gia vang hom nay"])
async def test_a_question_no_pair_answers_is_not_found(
    api: FakeBotApi, faq_settings: Settings, question: str
) -> None:
    call = await reply_to(api, U.private_text(question))

    text = visible(call)
    assert NOT_FOUND in text and faq_settings.contact_line in text
    assert "Về:" not in text and "Nguồn:" not in text
    [confidence] = confidences(faq_settings)
    assert confidence is None or confidence < faq_settings.min_confidence


async def test_further_faq_passages_say_what_they_are_about(faq_settings: Settings) -> None:
    async with FakeBotApi() as api, running_bot(faq_settings, api):
        call = await reply_to(api, U.private_text("làm thẻ căn cước"))
        answer = bot_message(api, U.USER_ID)
        assert "Xem thêm ▶" in buttons(answer), visible(call)
        edits = len(api.calls_to("editMessageText"))
        await press(api, buttons(answer)["Xem thêm ▶"], answer)
        await api.wait_for("editMessageText", edits + 1, timeout=WAIT)
        page = bot_message(api, U.USER_ID, answer["message_id"])

    assert "Về:" in page["text"]  # at least one further passage is an FAQ pair


def buttons_of(call: Call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]
