"""Follow-up questions on the hand-made dialogues of tests/data/dialogues.tsv (over the made-up
articles of tests/data/kinds): how many turns get the expected passage (and article) first,
asked on their own and asked after the earlier turn with the bot's context rule.

    python bench/followups.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from bot.evaluation.dialogues import TurnResult, load_dialogues, run_dialogues
from bot.settings import Settings
from bot.sources.ingest import ingest
from bot.store.database import Store

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


async def measure() -> list[TurnResult]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            db_path=Path(tmp) / "bot.sqlite3", knowledge_dir=DATA / "kinds", _env_file=None
        )
        pipeline = TextPipeline()
        store = await Store.open(settings.db_path)
        try:
            await ingest(store, pipeline, [settings.knowledge_dir], False)
            kb = await KnowledgeBase.open(store, pipeline, settings)
            return await run_dialogues(kb, load_dialogues(DATA / "dialogues.tsv"))
        finally:
            await store.close()


def _count(rows: list[TurnResult], chat: bool) -> str:
    passage = sum(r.right_in_chat if chat else r.right_alone for r in rows)
    article = sum(r.article_in_chat if chat else r.article_alone for r in rows)
    return f"{passage}/{len(rows)} ({article}/{len(rows)})"


def main() -> None:
    results = asyncio.run(measure())
    print("expected passage first (expected article first): alone / in the dialogue")
    for kind, label in (("follow", "follow-ups (need context)"), ("new", "new questions")):
        rows = [r for r in results if r.turn.kind == kind]
        n = len(rows)
        alone = f"{sum(r.right_alone for r in rows)}/{n} ({sum(r.article_alone for r in rows)}/{n})"
        chat = (
            f"{sum(r.right_in_chat for r in rows)}/{n} ({sum(r.article_in_chat for r in rows)}/{n})"
        )
        print(f"{label:28} {alone:>14} {chat:>14}")


if __name__ == "__main__":
    main()
