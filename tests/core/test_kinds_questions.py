"""The kind of question decides which close passage answers and which sentences are the short
answer, whatever the word order: tests/data/kinds_questions.tsv over tests/data/kinds/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.text import TextPipeline, fold_text
from bot.engine import KnowledgeBase
from tests.helpers.files import make_settings, open_kb
from tests.helpers.kinds_set import KINDS_DIR, judge, load_cases

CASES = load_cases()
PASSPORT_PLACE = "phòng quản lý xuất nhập cảnh công an cấp tỉnh nơi thường trú"
PASSPORT_FEE = "200.000 đồng một cuốn"
PASSPORT_TIME = "8 ngày làm việc"
# The same question in other word orders: the same passage first and the same short answer.
REORDERED = [
    ("hộ chiếu làm ở đâu", "làm hộ chiếu ở đâu", "ở đâu làm hộ chiếu"),
    ("hộ chiếu bao lâu thì có", "bao lâu thì có hộ chiếu", "làm hộ chiếu bao lâu"),
    ("đăng ký tạm trú ở đâu", "tạm trú đăng ký ở đâu", "ở đâu đăng ký tạm trú"),
    ("làm căn cước bao lâu thì có", "bao lâu thì có thẻ căn cước", "căn cước làm bao lâu"),
    ("đăng ký tạm trú bao lâu thì xong", "bao lâu thì đăng ký tạm trú xong"),
    ("ho chieu het bao nhieu tien", "het bao nhieu tien ho chieu"),
]


@pytest.fixture
async def kb(tmp_path: Path, pipeline: TextPipeline) -> AsyncIterator[KnowledgeBase]:
    async with open_kb(make_settings(tmp_path, KINDS_DIR), pipeline) as opened:
        yield opened


def test_the_set_is_big_enough_and_typed_as_citizens_type() -> None:
    assert len(CASES) >= 60
    assert len({c.kind for c in CASES}) == 7
    assert sum(fold_text(c.question) == c.question for c in CASES) >= 20
    assert sum(c.question.isupper() for c in CASES) >= 4


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("hộ chiếu làm ở đâu", PASSPORT_PLACE),
        ("lam ho chieu het bao nhieu tien", PASSPORT_FEE),
        ("hộ chiếu bao lâu thì có", PASSPORT_TIME),
    ],
)
async def test_the_question_word_decides_the_answer(
    kb: KnowledgeBase, question: str, fragment: str
) -> None:
    answer = await kb.ask(question)
    assert answer.answered and fragment in answer.hits[0].text and fragment in answer.summary


@pytest.mark.parametrize("questions", REORDERED)
async def test_word_order_does_not_change_the_answer(
    kb: KnowledgeBase, questions: tuple[str, ...]
) -> None:
    answers = [await kb.ask(q) for q in questions]
    assert all(a.answered for a in answers)
    assert len({(a.hits[0].passage_id, a.summary) for a in answers}) == 1


async def test_most_of_the_set_is_answered_by_the_paragraph_asked_for(kb: KnowledgeBase) -> None:
    judged = await judge(kb, CASES)
    right = sum(j.first and j.summary for j in judged)
    kb.kinds = None  # the same knowledge base, reading only the question's words
    plain = sum(j.first and j.summary for j in await judge(kb, CASES))
    assert right >= 60 and right >= plain + 20
