"""The question-kind set (tests/data/kinds_questions.tsv over tests/data/kinds/), scored.

`python -m tests.helpers.kinds_set` prints how many of the set are right with and without the
kind steering (kind detected, expected paragraph first, its sentence in the short answer).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import NamedTuple

from bot.core.question_kinds import KindReader
from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from tests.helpers.files import DATA_DIR, make_settings, open_kb

KINDS_DIR = DATA_DIR / "kinds"


class Case(NamedTuple):
    kind: str
    question: str
    fragment: str  # from the sentence that answers: in the top passage and in the short answer


class Judged(NamedTuple):
    case: Case
    kind_found: bool
    first: bool  # the expected paragraph ranks first
    summary: bool  # its sentence is in the short answer


def load_cases(path: Path = DATA_DIR / "kinds_questions.tsv") -> list[Case]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Case(*line.split("\t")) for line in lines if line and not line.startswith("#")]


async def judge(kb: KnowledgeBase, cases: list[Case]) -> list[Judged]:
    """Each case as the bot answers it."""
    reader = KindReader(kb.pipeline)
    out = []
    for case in cases:
        answer = await kb.ask(case.question)
        top = answer.hits[0].text if answer.hits else ""
        kinds = [k.value for k in reader.kinds(case.question)]
        found = case.kind in kinds
        out.append(Judged(case, found, case.fragment in top, case.fragment in answer.summary))
    return out


def figures(judged: list[Judged]) -> str:
    n = len(judged)
    kind = sum(j.kind_found for j in judged)
    first = sum(j.first for j in judged)
    both = sum(j.first and j.summary for j in judged)
    return f"kind {kind}/{n}, paragraph first {first}/{n}, first and in the short answer {both}/{n}"


async def measure(steering: bool) -> list[Judged]:
    with tempfile.TemporaryDirectory() as tmp:
        async with open_kb(make_settings(Path(tmp), KINDS_DIR), TextPipeline()) as kb:
            if not steering:
                kb.kinds = None
            return await judge(kb, load_cases())


def main() -> None:
    for steering in (False, True):
        judged = asyncio.run(measure(steering))
        print(("with" if steering else "without") + " kind steering:", figures(judged))
        for j in judged:
            if not (j.kind_found and j.first and j.summary):
                print("   ", j.case.kind, j.case.question, j.kind_found, j.first, j.summary)


if __name__ == "__main__":
    main()
