"""Answers from FAQ pairs: the right pair, sure enough to answer, saying what it is about."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.answer import Matcher, Question, compose, lead, summarize
from bot.core.formatting import ABOUT, NOT_FOUND, render_answer
from bot.core.models import Citation, Hit
from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from tests.helpers.files import FAQ_DIR, SEED_KNOWLEDGE, make_settings, open_kb

CHILDREN = "Trẻ em dưới 14 tuổi có phải làm thẻ căn cước không?"
CHILDREN_ANSWER = (
    "Không bắt buộc. Cha mẹ có thể đề nghị cấp thẻ cho con khi có nhu cầu, ví dụ để làm thủ tục "
    "đi lại hoặc học tập."
)
PASSWORD = "Quên mật khẩu tài khoản dịch vụ công thì lấy lại thế nào?"
CITATION = Citation("Hỏi đáp thử", None, None, None, "hoi-dap.md")


@pytest.fixture
async def faq_kb(tmp_path: Path, pipeline: TextPipeline) -> AsyncIterator[KnowledgeBase]:
    """The seed article and the two test FAQ files, as a city's folder would hold them."""
    folder = Path(shutil.copytree(SEED_KNOWLEDGE, tmp_path / "knowledge"))
    for path in FAQ_DIR.glob("*.md"):
        shutil.copy(path, folder)
    async with open_kb(make_settings(tmp_path, folder), pipeline) as kb:
        yield kb


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("Bị mất căn cước thì phải làm gì?", "Mất thẻ căn cước thì phải làm sao?"),
        ("mat the can cuoc thi lam gi", "Mất thẻ căn cước thì phải làm sao?"),
        ("Tôi quên mật khẩu tài khoản dịch vụ công", PASSWORD),
        ("quen mat khau dich vu cong", PASSWORD),
        ("bao lâu có thẻ căn cước", "Bao lâu thì nhận được thẻ căn cước?"),
        ("tre em co can lam can cuoc khong", CHILDREN),
        (
            "làm căn cước lần đầu cần giấy tờ gì",
            "Làm thẻ căn cước lần đầu cần mang theo giấy tờ gì?",
        ),
        (
            "hồ sơ bị trả lại có phải làm lại không",
            "Hồ sơ bị trả lại vì thiếu giấy tờ thì có phải nộp lại từ đầu không?",
        ),
        ("người già có được nộp hồ sơ tại nhà không", "Những ai được hỗ trợ nộp hồ sơ tại nhà?"),
    ],
)
async def test_a_question_close_to_an_faq_question_gets_that_pair(
    faq_kb: KnowledgeBase, question: str, pair: str
) -> None:
    answer = await faq_kb.ask(question)
    assert answer.answered, (question, answer.confidence)
    assert answer.about == pair
    assert answer.confidence >= faq_kb.settings.min_confidence
    assert answer.summary == lead(answer.hits[0].text)


@pytest.mark.parametrize(
    "question",
    ["Giá vàng hôm nay bao nhiêu?", "Mất giấy phép lái xe thì làm sao?", "thủ tục cấp hộ chiếu"],
)
async def test_a_question_no_pair_answers_is_not_found(
    faq_kb: KnowledgeBase, question: str
) -> None:
    answer = await faq_kb.ask(question)
    assert not answer.answered
    assert answer.confidence < faq_kb.settings.min_confidence
    assert answer.about is None
    assert NOT_FOUND in render_answer(answer, "Liên hệ")


async def test_article_text_still_answers_without_an_about_line(faq_kb: KnowledgeBase) -> None:
    answer = await faq_kb.ask("Chính quyền số là gì?")
    assert answer.answered and answer.about is None
    assert ABOUT not in render_answer(answer, "Liên hệ")


def test_an_faq_answer_is_summarised_from_its_start(pipeline: TextPipeline) -> None:
    matcher = Matcher(pipeline, "trẻ em có phải làm thẻ căn cước không")
    # Word overlap alone would open with the second sentence and drop the actual answer.
    assert not summarize(matcher, CHILDREN_ANSWER).startswith("Không bắt buộc.")
    hit = Hit(1, 5.0, 1, CHILDREN_ANSWER, CITATION, CHILDREN)
    answer = compose(pipeline, Question("trẻ em có phải làm căn cước không"), [hit], judge, 0.4)
    assert answer.answered and answer.summary == CHILDREN_ANSWER


def test_lead_keeps_whole_sentences_up_to_the_summary_limit() -> None:
    sentences = [f"Câu {i} có đúng tám từ ở đây." for i in range(12)]
    summary = lead(" ".join(sentences))
    assert summary == " ".join(sentences[:8])  # 8 × 8 words ≤ 70 < 9 × 8
    assert lead("Một câu rất dài " * 30) == ("Một câu rất dài " * 30).strip()


def test_the_reply_says_what_the_answer_is_about(pipeline: TextPipeline) -> None:
    hit = Hit(1, 5.0, 1, CHILDREN_ANSWER, CITATION, CHILDREN)
    answer = compose(pipeline, Question("trẻ em có phải làm căn cước không"), [hit], judge, 0.4)
    reply = render_answer(answer, "Liên hệ")
    assert reply.startswith(f"{ABOUT} {CHILDREN}\n\nKhông bắt buộc.")
    assert "Nguồn:\n1. Hỏi đáp thử" in reply


def judge(coverage: float, top: Hit) -> tuple[float, None]:
    return 0.9, None
