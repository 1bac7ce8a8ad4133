"""What the bot forgets: everything past the retention period, and a user on request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.personal_data import redact
from bot.store.database import Store

# Bump when the personal-data patterns change, so questions stored earlier are redacted again.
REDACTION_VERSION = "1"
REDACTION_KEY = "personal_data_redaction"

# Questions to delete, by a WHERE clause over `questions`; their answers and votes go too.
_DELETE_STEPS = (
    "DELETE FROM votes WHERE question_id IN (SELECT id FROM questions WHERE {where})",
    "DELETE FROM answers WHERE question_id IN (SELECT id FROM questions WHERE {where})",
    "DELETE FROM questions WHERE {where}",
)


@dataclass(frozen=True)
class PurgeResult:
    """Rows removed by a retention purge, and the moment before which they were kept."""

    cutoff: datetime
    questions: int
    answers: int
    votes: int


@dataclass(frozen=True)
class ForgetResult:
    """Rows removed for one user: their questions, the answers to them, every related vote."""

    questions: int
    answers: int
    votes: int


async def _delete_questions(
    store: Store, where: str, params: tuple[str, ...]
) -> tuple[int, int, int]:
    """Delete matching questions with their votes and answers; (questions, answers, votes)."""
    # Explicit deletes rather than ON DELETE CASCADE: the counts are reported, and the
    # cascade only works on connections that turned foreign keys on.
    counts = []
    for step in _DELETE_STEPS:
        cur = await store.db.execute(step.format(where=where), params)
        counts.append(cur.rowcount)
    votes, answers, questions = counts
    return questions, answers, votes


async def _delete(
    store: Store, questions_where: str, votes_where: str, param: str
) -> tuple[int, int, int]:
    """In one transaction: matching questions (with answers and votes), then matching votes."""
    try:
        questions, answers, votes = await _delete_questions(store, questions_where, (param,))
        cur = await store.db.execute(f"DELETE FROM votes WHERE {votes_where}", (param,))
        await store.db.commit()
    except BaseException:
        await store.db.rollback()
        raise
    return questions, answers, votes + cur.rowcount


async def purge_older_than(store: Store, days: int, now: datetime | None = None) -> PurgeResult:
    """Delete questions (with answers and votes) asked, and votes cast, more than `days` ago."""
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (now or datetime.now(UTC)).astimezone(UTC) - timedelta(days=days)
    stamp = cutoff.isoformat()  # stored stamps are UTC ISO strings: they sort as text
    return PurgeResult(cutoff, *await _delete(store, "asked_at < ?", "voted_at < ?", stamp))


async def forget_user(store: Store, user_hash: str) -> ForgetResult:
    """Delete every question of this user (with its answer and votes) and every vote they cast."""
    return ForgetResult(*await _delete(store, "user_hash = ?", "user_hash = ?", user_hash))


async def redact_stored_questions(store: Store) -> int:
    """Replace personal data in questions stored before redaction (or an older version of it).

    Runs once per REDACTION_VERSION; returns how many questions were changed.
    """
    if await store.get_meta(REDACTION_KEY) == REDACTION_VERSION:
        return 0
    async with store.db.execute(
        "SELECT id, question FROM questions WHERE question IS NOT NULL"
    ) as cur:
        rows = [(qid, redact(text).text, text) async for qid, text in cur]
    changed = [(new, qid) for qid, new, old in rows if new != old]
    await store.db.executemany("UPDATE questions SET question = ? WHERE id = ?", changed)
    await store.set_meta(REDACTION_KEY, REDACTION_VERSION)  # commits the updates with it
    return len(changed)
