"""Questions and votes written the way the bot writes them, at moments a test chooses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.core.models import Citation
from bot.store.database import Store
from bot.store.records import QuestionRecord, record_question, set_vote

# A fixed "now" for reports and purges: a Friday, noon in Viet Nam.
NOW = datetime(2024, 5, 10, 5, 0, tzinfo=UTC)


async def log_question(
    store: Store,
    text: str | None,
    at: datetime,
    *,
    answered: bool = True,
    passages: Sequence[int] = (),
    shown: int | None = None,
    user: str = "user-a",
    cited: Sequence[Citation] = (),
    confidence: float | None = None,
) -> int:
    """record_question as the handler calls it, then move the question to `at`."""
    top_score = 1.0 if passages else None
    record = QuestionRecord("private", user, text, top_score, answered, 10.0, confidence)
    qid = await record_question(store, record, passages, shown=shown, cited=cited)
    await store.db.execute("UPDATE questions SET asked_at = ? WHERE id = ?", (at.isoformat(), qid))
    await store.db.commit()
    return qid


async def vote(store: Store, question_id: int, user: str, value: int, at: datetime) -> None:
    """set_vote, then move the vote to `at`."""
    assert await set_vote(store, question_id, user, value)
    await store.db.execute(
        "UPDATE votes SET voted_at = ? WHERE question_id = ? AND user_hash = ?",
        (at.isoformat(), question_id, user),
    )
    await store.db.commit()


async def count_rows(store: Store, table: str) -> int:
    async with store.db.execute(f"SELECT COUNT(*) FROM {table}") as cur:
        row = await cur.fetchone()
    return row[0] if row else 0


async def passage_ids_by_title(store: Store) -> dict[str, list[int]]:
    """Article title → its passage ids in reading order."""
    query = (
        "SELECT a.title, p.id FROM passages p JOIN articles a ON a.id = p.article_id"
        " ORDER BY a.title, p.position"
    )
    out: dict[str, list[int]] = {}
    async with store.db.execute(query) as cur:
        async for title, pid in cur:
            out.setdefault(title, []).append(pid)
    return out
