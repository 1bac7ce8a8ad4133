"""A question that names no topic ("nộp hồ sơ ở đâu?") is asked back, never answered from
whichever article ranks first (tests/data/topic_questions.tsv, over the decision corpus)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.answer import Outcome, prepare_question
from bot.core.followup import Context
from bot.core.formatting import UNCLEAR, render_answer
from bot.core.question_kinds import KindReader
from bot.core.text import TextPipeline
from bot.core.topic import TopicReader
from bot.engine import KnowledgeBase
from tests.helpers.files import DATA_DIR, make_settings, markdown, open_kb, write

CASES = [
    tuple(line.split("\t", 1))
    for line in (DATA_DIR / "topic_questions.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
UNCLEAR_CASES = [q for kind, q in CASES if kind == "unclear"]
TOPIC_CASES = [q for kind, q in CASES if kind == "topic"]


@pytest.fixture
def kb(decision_kb: KnowledgeBase) -> KnowledgeBase:
    return decision_kb


def test_the_corpus_has_both_kinds_in_several_spellings() -> None:
    assert len(UNCLEAR_CASES) >= 20 and len(TOPIC_CASES) >= 15
    assert any(q.isupper() for q in UNCLEAR_CASES) and any(q.isascii() for q in UNCLEAR_CASES)


def test_each_question_is_read_as_naming_a_topic_or_not(pipeline: TextPipeline) -> None:
    topics, kinds = TopicReader(pipeline), KindReader(pipeline)
    wrong = [
        (kind, q)
        for kind, q in CASES
        if topics.names_no_topic(kinds.read(prepare_question(q, 500).searched).searched)
        != (kind == "unclear")
    ]
    assert wrong == []


async def test_a_question_naming_no_topic_is_asked_back_with_the_nearest_articles(
    kb: KnowledgeBase,
) -> None:
    for question in UNCLEAR_CASES:
        answer = await kb.ask(question)
        assert answer.outcome is Outcome.NOT_FOUND and answer.unclear, question
        assert answer.confidence == 0.0
    answer = await kb.ask("nộp hồ sơ ở đâu?")  # four of the six articles say where
    assert len(answer.offered) == 3
    reply = render_answer(answer, "Gọi 1022")
    assert UNCLEAR in reply and "Gọi 1022" not in reply and f"• {answer.offered[0]}" in reply


async def test_a_question_naming_its_topic_is_judged_as_before(kb: KnowledgeBase) -> None:
    for question in TOPIC_CASES:
        assert not (await kb.ask(question)).unclear, question
    answer = await kb.ask("dang ky ket hon nop to khai o dau")
    assert answer.answered and answer.hits[0].citation.title == "Đăng ký kết hôn"


async def test_after_an_answer_the_same_words_are_a_follow_up(kb: KnowledgeBase) -> None:
    first = await kb.ask("thủ tục đăng ký kết hôn")
    assert first.answered
    context = Context("thủ tục đăng ký kết hôn", topic=first.hits[0].citation.title)
    answer = await kb.ask("nộp ở đâu?", context=context)
    assert answer.answered and not answer.unclear
    assert answer.hits[0].citation.title == "Đăng ký kết hôn"


async def test_an_editors_answer_to_the_general_question_is_given(
    tmp_path: Path, pipeline: TextPipeline
) -> None:
    folder = Path(shutil.copytree(DATA_DIR / "decision", tmp_path / "kb"))
    general = "Mỗi thủ tục có nơi nộp riêng, ghi trong bài hướng dẫn của thủ tục đó."  # made up
    write(
        folder / "hoi-dap.md",
        markdown("Hỏi đáp chung", [f"## Nộp hồ sơ ở đâu?\n\n{general}"], type="faq"),
    )
    async with open_kb(make_settings(tmp_path, folder), pipeline) as kb:
        answer = await kb.ask("nop ho so o dau")
        other = await kb.ask("lệ phí bao nhiêu")
    assert answer.answered and not answer.unclear and answer.about == "Nộp hồ sơ ở đâu?"
    assert other.unclear  # the general answer is about where, not about fees
