"""Questions typed with chat shorthand get the same answer as the same questions written out.

tests/data/shorthand_questions.tsv pairs made-up questions as citizens type them (shorthand, no
diacritics, capitals) with the same question written properly, over the six made-up procedures
of tests/data/decision/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.answer import Answer
from bot.core.text import Features, TextPipeline, fold_text
from bot.engine import KnowledgeBase
from tests.helpers.files import DATA_DIR, make_settings, open_kb

PAIRS = [
    tuple(line.split("\t"))
    for line in (DATA_DIR / "shorthand_questions.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]


def top(answer: Answer) -> str | None:
    return answer.hits[0].citation.title if answer.hits else None


@pytest.fixture
async def kb(tmp_path: Path, pipeline: TextPipeline) -> AsyncIterator[KnowledgeBase]:
    async with open_kb(make_settings(tmp_path, DATA_DIR / "decision"), pipeline) as opened:
        yield opened


def test_the_set_is_big_enough_and_typed_as_citizens_type() -> None:
    assert len(PAIRS) >= 40 and all(len(pair) == 2 for pair in PAIRS)
    assert all(fold_text(short) == short for short, _ in PAIRS if "đ" not in short)
    assert sum(short != short.lower() for short, _ in PAIRS) >= 5


async def test_shorthand_gets_the_same_top_article(kb: KnowledgeBase) -> None:
    differ = []
    for short, proper in PAIRS:
        a, b = await kb.ask(short), await kb.ask(proper)
        if top(a) != top(b):
            differ.append((short, top(a), top(b)))
    assert differ == []


async def test_shorthand_gets_the_same_decision(kb: KnowledgeBase) -> None:
    """Compared with the proper wording as written; where its accents alone change the decision
    (written out without them it decides otherwise), with the proper wording typed without them."""
    differ = []
    for short, proper in PAIRS:
        a, b, c = await kb.ask(short), await kb.ask(proper), await kb.ask(fold_text(proper))
        expected = {b.outcome} if b.outcome is c.outcome else {c.outcome}
        if a.outcome not in expected:
            differ.append((short, a.outcome.value, b.outcome.value, round(a.confidence, 2)))
    assert differ == []


async def test_without_the_table_the_decisions_differ(tmp_path: Path) -> None:
    # The set exercises the table: the same questions with shorthand read as unknown words.
    plain = TextPipeline(Features(shorthand="off"))
    async with open_kb(make_settings(tmp_path, DATA_DIR / "decision"), plain) as kb:
        outcomes = [((await kb.ask(s)).outcome, (await kb.ask(p)).outcome) for s, p in PAIRS]
    assert sum(a is not b for a, b in outcomes) >= 3
