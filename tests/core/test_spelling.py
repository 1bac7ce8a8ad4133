"""Typing slips: a doubled letter or one wrong key in a word the knowledge base lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.formatting import render_answer
from bot.core.spelling import Correction, apply, corrections, is_syllable
from bot.core.text import TextPipeline, fold
from tests.helpers.files import DATA_DIR, make_settings, open_kb

KNOWN = {"quyen": 40, "so": 90, "chieu": 12, "ho": 30, "xoong": 1, "thanh": 60, "chinh": 45}
KNOWN |= {"lap": 20, "khai": 25, "sinh": 30, "dong": 30, "duong": 20, "ap": 9, "lan": 30}
KNOWN |= {"thanh_lap": 6, "chinh_quyen": 9, "khai_sinh": 12, "lan_khong": 2, "banh": 3}


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


def test_one_wrong_missing_extra_or_swapped_key_is_read_as_the_common_word() -> None:
    fixes = corrections("thnah lap chinj quyen khaii, khai sihn", freq)
    assert [f.read_as for f in fixes] == ["thanh", "chinh", "khai", "sinh"]


def test_a_key_slip_needs_a_neighbouring_word_it_pairs_with() -> None:
    assert corrections("sihn", freq) == ()  # alone: nothing confirms the reading
    # "flan" is one key from "lan", but "bánh lan" is no pair and "không" is a stop word.
    assert corrections("làm bánh flan không bị rỗ", freq) == ()
    assert corrections("tra cứu SSN online", freq) == ()  # capitals in a lower-case text


def test_a_slip_with_two_likely_readings_is_left_alone() -> None:
    assert corrections("diong", freq) == ()  # "dong" 30 against "duong" 20: no guess


def test_real_syllables_loanwords_and_shorthand_are_never_read_as_another_word() -> None:
    # Every one is a possible syllable, one key away from a common word of the knowledge base.
    assert corrections("thang chinh thanh sinh khan", freq) == ()
    assert corrections("tai app zalo online", freq) == ()  # "app" is not a slip of "ap"
    assert corrections("khg dc", freq, reserved=lambda w: w in {"khg", "dc"}) == ()


def test_rare_targets_are_not_guessed() -> None:
    assert corrections("xoonh", freq) == ()  # "xoong" occurs, but rarely


@pytest.mark.parametrize(
    "word", ["nghiêng", "khuỷu", "giữ", "thuở", "oái", "xoong", "soóc", "hươu", "quỳnh", "Đắk"]
)
def test_rare_real_syllables_count_as_syllables(word: str) -> None:
    assert is_syllable(fold(word.lower()))


async def test_a_slip_is_answered_and_the_reply_says_how_it_was_read(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, DATA_DIR / "decision")
    async with open_kb(settings, TextPipeline()) as kb:
        answer = await kb.ask("lam ho chieuu pho thnog o dau")
    assert answer.answered and answer.hits[0].citation.title == "Cấp hộ chiếu phổ thông"
    reply = render_answer(answer, settings.contact_line)
    assert reply.startswith("(Tôi đọc «chieuu» là «chieu», «thnog» là «thong».)")
