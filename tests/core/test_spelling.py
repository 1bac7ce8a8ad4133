"""Typing slips: a doubled letter in a word the knowledge base lacks is read as the word meant."""

from __future__ import annotations

from pathlib import Path

from bot.core.formatting import render_answer
from bot.core.spelling import Correction, apply, corrections
from bot.core.text import TextPipeline
from tests.helpers.files import DATA_DIR, make_settings, open_kb

KNOWN = {"quyen": 40, "so": 90, "chieu": 12, "ho": 30, "xoong": 5}


def freq(term: str) -> int:
    return KNOWN.get(term, 0)


def test_doubled_letters_are_read_as_the_frequent_word() -> None:
    fixes = corrections("chinh quyenn soo la gi", freq)
    assert fixes == (Correction("quyenn", "quyen"), Correction("soo", "so"))
    assert apply("chinh quyenn soo la gi", fixes) == "chinh quyen so la gi"


def test_accents_and_capitals_are_kept_in_what_the_reply_shows() -> None:
    assert corrections("Hộ chiếuu", freq) == (Correction("chiếuu", "chiếu"),)
    assert corrections("QUYENN", freq) == (Correction("QUYENN", "quyen"),)


def test_known_words_unknown_targets_and_other_words_are_left_alone() -> None:
    assert corrections("xoong nồi", freq) == ()  # the knowledge base has "xoong"
    assert corrections("hiemm", freq) == ()  # "hiem" is not in the knowledge base either
    assert corrections("thuong tru", freq) == ()  # no doubled letter: never turned into "thong"
    assert corrections("đưu", freq) == ()  # doubled only once folded: not a slip
    assert corrections("google", freq) == ()  # "gogle" is not a word of the knowledge base


async def test_a_slip_is_answered_and_the_reply_says_how_it_was_read(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, DATA_DIR / "decision")
    async with open_kb(settings, TextPipeline()) as kb:
        answer = await kb.ask("lam ho chieuu pho thongg o dau")
    assert answer.answered and answer.hits[0].citation.title == "Cấp hộ chiếu phổ thông"
    reply = render_answer(answer, settings.contact_line)
    assert reply.startswith("(Tôi đọc «chieuu» là «chieu», «thongg» là «thong».)")
