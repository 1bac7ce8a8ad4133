"""Answered, not found or small talk: the decision on a small hand-checked corpus.

Six made-up procedures (tests/data/decision/); the questions (tests/data/decision_questions.tsv)
are answerable ones in several spellings, in-domain ones the articles do not hold, off-topic ones
and small talk.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.answer import Outcome
from bot.core.formatting import UNSURE, UNSURE_CONTACT, render_answer, suggestions
from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from tests.helpers.files import (
    DATA_DIR,
    SEED_KNOWLEDGE,
    SEED_TITLE,
    make_settings,
    markdown,
    open_kb,
    write,
)

CASES = [
    tuple(line.split("\t", 1))
    for line in (DATA_DIR / "decision_questions.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
EXPECTED = {
    "answered": Outcome.ANSWERED,
    "not_found": Outcome.NOT_FOUND,
    "small_talk": Outcome.SMALL_TALK,
}


@pytest.fixture
def kb(decision_kb: KnowledgeBase) -> KnowledgeBase:
    return decision_kb


def test_the_corpus_has_every_kind_of_question() -> None:
    kinds = [kind for kind, _ in CASES]
    assert kinds.count("answered") >= 10 and kinds.count("not_found") >= 8
    assert kinds.count("small_talk") >= 3


async def test_each_question_gets_the_expected_decision(kb: KnowledgeBase) -> None:
    wrong = []
    for kind, question in CASES:
        answer = await kb.ask(question)
        if answer.outcome is not EXPECTED[kind]:
            wrong.append((question, kind, answer.outcome.value, round(answer.confidence, 2)))
    assert wrong == []


async def test_an_answer_cites_the_article_it_was_asked_about(kb: KnowledgeBase) -> None:
    answer = await kb.ask("lam ho chieu pho thong o dau")
    assert answer.answered and answer.hits[0].citation.title == "Cấp hộ chiếu phổ thông"


async def test_the_threshold_setting_decides(tmp_path: Path, pipeline: TextPipeline) -> None:
    question = "đăng ký kết hôn ở đâu"
    strict = make_settings(tmp_path, DATA_DIR / "decision", min_confidence=1.0)
    async with open_kb(strict, pipeline) as kb:
        answer = await kb.ask(question)
    assert answer.outcome is Outcome.NOT_FOUND and answer.confidence > 0.4


async def test_only_sources_that_support_the_answer_are_cited(
    tmp_path: Path, pipeline: TextPipeline
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(DATA_DIR / "decision", folder)
    for seed_file in SEED_KNOWLEDGE.iterdir():  # the article and its sidecar
        shutil.copy(seed_file, folder)
    # Shares "chính quyền" and "số" with the question, but says nothing about what it asks.
    passage = "Người dân tra cứu số hộ chiếu trên cổng dịch vụ công của chính quyền thành phố."
    write(folder / "tra-cuu-ho-chieu.md", markdown("Tra cứu số hộ chiếu", [passage]))
    async with open_kb(make_settings(tmp_path, folder), pipeline) as kb:
        answer = await kb.ask("Chính quyền số là gì?", further=12)
        titles = {h.citation.title for h in answer.hits}
        assert answer.answered and titles == {SEED_TITLE}  # no procedure article beside it
        assert [h.rank for h in answer.hits] == list(range(1, len(answer.hits) + 1))
        # What was ranked but not cited stays reachable through "Xem thêm".
        ranked = await kb.ask("Chính quyền số là gì?", further=12)
        assert set(ranked.further) and not set(ranked.further) & {h.passage_id for h in answer.hits}


async def test_a_not_found_offers_only_the_articles_that_came_close(kb: KnowledgeBase) -> None:
    near = await kb.ask("đăng ký kết hôn lần hai sau khi ly hôn")
    assert near.outcome is Outcome.NOT_FOUND and near.offered == ("Đăng ký kết hôn",)
    # The buttons are numbered in the nearest titles: what is offered leads that list.
    assert suggestions(near.hits)[: len(near.offered)] == list(near.offered)
    offered = {q: (await kb.ask(q)).offered for kind, q in CASES if kind == "not_found"}
    assert offered == dict.fromkeys(offered, ())  # off-topic and far in-domain: nothing offered


async def test_the_suggestion_floor_is_a_setting(tmp_path: Path, pipeline: TextPipeline) -> None:
    settings = make_settings(tmp_path, DATA_DIR / "decision", suggest_confidence=0.0)
    async with open_kb(settings, pipeline) as kb:
        answer = await kb.ask("kết quả xổ số miền Bắc hôm nay")  # shares "kết quả" with some
    assert answer.outcome is Outcome.NOT_FOUND and answer.offered


async def test_an_answer_below_the_sure_threshold_says_so_and_gives_the_contact(
    kb: KnowledgeBase,
) -> None:
    unsure = await kb.ask("đăng ký kết hôn với người nước ngoài")  # the article says nothing of it
    sure = await kb.ask("đăng ký kết hôn ở đâu")
    assert unsure.answered and unsure.unsure and sure.answered and not sure.unsure
    assert unsure.confidence < kb.settings.sure_confidence <= sure.confidence
    hedged, plain = render_answer(unsure, "Gọi 1022"), render_answer(sure, "Gọi 1022")
    assert hedged.startswith(UNSURE) and hedged.endswith(f"{UNSURE_CONTACT} Gọi 1022")
    assert UNSURE not in plain and "Gọi 1022" not in plain


async def test_the_sure_threshold_is_a_setting(tmp_path: Path, pipeline: TextPipeline) -> None:
    settings = make_settings(tmp_path, DATA_DIR / "decision", sure_confidence=0.0)
    async with open_kb(settings, pipeline) as kb:
        answer = await kb.ask("đăng ký kết hôn với người nước ngoài")
    assert answer.answered and not answer.unsure
