"""Follow-ups on the hand-made dialogues: the context helps follow-ups, never new questions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from bot.evaluation.dialogues import TurnResult, load_dialogues, run_dialogues
from tests.helpers.files import DATA_DIR, make_settings, open_kb

DIALOGUES = load_dialogues(DATA_DIR / "dialogues.tsv")


async def _run(folder: Path) -> list[TurnResult]:
    settings = make_settings(folder, DATA_DIR / "kinds")
    async with open_kb(settings, TextPipeline()) as kb:
        return await run_dialogues(kb, DIALOGUES)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[TurnResult]:
    return asyncio.run(_run(tmp_path_factory.mktemp("dialogues")))


def test_the_set_has_forty_dialogues_half_of_them_with_follow_ups() -> None:
    dialogues = {t.dialogue for t in DIALOGUES}
    following = {t.dialogue for t in DIALOGUES if t.kind == "follow"}
    fresh = {t.dialogue for t in DIALOGUES if t.kind == "new"}
    assert len(dialogues) >= 40 and len(following) >= 20 and len(fresh) >= 20
    assert all(t.number == 1 for t in DIALOGUES if t.kind == "ask")


def test_a_complete_new_question_is_answered_as_if_asked_alone(results: list[TurnResult]) -> None:
    fresh = [r for r in results if r.turn.kind == "new"]
    assert [r.turn.message for r in fresh if r.right_in_chat != r.right_alone] == []
    assert [r.turn.message for r in fresh if r.understood] == []


def test_follow_ups_need_the_context_and_get_it(results: list[TurnResult]) -> None:
    follow = [r for r in results if r.turn.kind == "follow"]
    assert sum(r.right_in_chat for r in follow) >= 2 * sum(r.right_alone for r in follow)
    assert all(r.understood for r in follow if r.right_in_chat and not r.right_alone)
