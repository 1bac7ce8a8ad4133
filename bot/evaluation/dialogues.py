"""Follow-up questions measured: hand-made dialogues, each turn's expected passage first or not.

Every turn is asked the way a chat would (the earlier turn's answer as its context) and, for
comparison, on its own. A follow-up ("còn lệ phí thì sao?") should need the context; a complete
new question must not be mixed with the old one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.core.answer import Answer
from bot.core.followup import Context, context_of
from bot.engine import KnowledgeBase


@dataclass(frozen=True)
class Turn:
    dialogue: str
    number: int
    kind: str  # "ask" (opening), "follow" (needs the context) or "new" (must not take it)
    message: str
    title: str  # the article expected first
    fragment: str  # a piece of the passage expected first


@dataclass(frozen=True)
class TurnResult:
    turn: Turn
    right_alone: bool  # expected passage first when asked on its own
    right_in_chat: bool  # expected passage first when asked after the earlier turn
    understood: str | None
    article_alone: bool = False  # the expected article first (whichever of its passages)
    article_in_chat: bool = False


def load_dialogues(path: Path) -> list[Turn]:
    """The TSV's turns in order; `#` lines are comments."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
    return [
        Turn(d, int(n), kind, message, title, fragment)
        for d, n, kind, message, title, fragment in csv.reader(lines, delimiter="\t")
    ]


def is_right(answer: Answer, turn: Turn, passage: bool = True) -> bool:
    """Answered, with the expected passage (or only its article) first."""
    if not answer.answered or not answer.hits:
        return False
    first = answer.hits[0]
    return first.citation.title == turn.title and (not passage or turn.fragment in first.text)


async def run_dialogues(kb: KnowledgeBase, turns: Iterable[Turn]) -> list[TurnResult]:
    """Each turn alone and in its dialogue (the earlier turn's answer as context)."""
    results: list[TurnResult] = []
    context: Context | None = None
    for turn in turns:
        if turn.number == 1:
            context = None
        alone = await kb.ask(turn.message)
        chat = await kb.ask(turn.message, context=context) if context else alone
        right = is_right(alone, turn), is_right(chat, turn)
        article = is_right(alone, turn, passage=False), is_right(chat, turn, passage=False)
        results.append(TurnResult(turn, *right, chat.understood, *article))
        topic = chat.hits[0].citation.title if chat.answered and chat.hits else None
        context = context_of(chat.question, chat.follows, topic)
    return results
