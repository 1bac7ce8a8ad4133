"""A sibling procedure the knowledge base lacks is not answered from the one it has.

Over the six made-up procedures of tests/data/decision/: "giấy phép lái xe bị mất" must not get
the article on renewing an expired licence as its answer (tests/data/sibling_questions.tsv).
"""

from __future__ import annotations

import pytest

from bot.core.actions import ActionReader
from bot.core.answer import prepare_question
from bot.core.confidence import SIBLING_GATE
from bot.engine import KnowledgeBase
from tests.helpers.files import DATA_DIR

ROWS = [
    line.split("\t")
    for line in (DATA_DIR / "sibling_questions.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
SIBLINGS = [(row[1], row[2]) for row in ROWS if row[0] == "sibling"]
ANSWERED = [row[1] for row in ROWS if row[0] == "answered"]


def test_the_corpus_has_siblings_and_their_answerable_neighbours() -> None:
    assert len(SIBLINGS) >= 12 and len(ANSWERED) >= 6
    assert {row[0] for row in ROWS} == {"sibling", "answered"}


async def test_a_sibling_is_not_answered_and_its_neighbour_comes_nearest(
    decision_kb: KnowledgeBase,
) -> None:
    wrong = []
    for question, neighbour in SIBLINGS:
        answer = await decision_kb.ask(question)
        if answer.answered or answer.hits[0].citation.title != neighbour:
            wrong.append((question, answer.outcome.value, round(answer.confidence, 2)))
    assert wrong == []


async def test_the_neighbour_is_offered_to_choose(decision_kb: KnowledgeBase) -> None:
    answer = await decision_kb.ask("giấy phép lái xe bị mất thì làm sao")
    assert answer.offered == ("Cấp đổi giấy phép lái xe",)
    assert answer.evidence is not None and answer.evidence.actions_missing == 1.0


async def test_the_action_its_article_holds_is_answered(decision_kb: KnowledgeBase) -> None:
    wrong = []
    for question in ANSWERED:
        answer = await decision_kb.ask(question)
        if not answer.answered or answer.unsure:
            wrong.append((question, round(answer.confidence, 2)))
    assert wrong == []


async def test_without_the_action_table_siblings_get_confident_answers(
    decision_kb: KnowledgeBase,
) -> None:
    decision_kb.actions = ActionReader(decision_kb.pipeline, [])
    answered = [q for q, _ in SIBLINGS if (await decision_kb.ask(q)).answered]
    assert len(answered) >= len(SIBLINGS) // 2


@pytest.mark.parametrize("passages", [SIBLING_GATE.max_passages - 1, SIBLING_GATE.max_passages])
def test_the_gate_stands_in_for_the_ranking_only_in_a_small_knowledge_base(
    decision_kb: KnowledgeBase, passages: int
) -> None:
    """Above the rarity prior the fitted weight alone lowers the confidence; below, the cap."""
    asked = prepare_question("hủy đăng ký hộ kinh doanh thế nào", 500)
    evidence = decision_kb.answer_now(asked, 3, 3).evidence
    assert evidence is not None and evidence.actions_missing == 1.0
    confidence = decision_kb.model.confidence(evidence, passages)
    assert (confidence <= SIBLING_GATE.cap) is (passages < SIBLING_GATE.max_passages)
