"""What the bot forgets: everything past the retention period, and a user on request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.personal_data import redacted
from bot.store.database import Store
from bot.store.inbox import KEEP_IDS

# Bump when the personal-data patterns change, so questions stored earlier are redacted again.
REDACTION_VERSION = "2"
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
    inbox: int = 0  # kept updates older than a day (answered long ago, or never answerable)


@dataclass(frozen=True)
class ForgetResult:
    """Rows removed for one user: their questions, the answers to them, every related vote,
    and the updates of theirs still in the inbox."""

    questions: int
    answers: int
    votes: int
    inbox: int = 0


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
    store: Store, questions_where: str, votes_where: str, inbox_where: str, params: tuple[str, str]
) -> tuple[int, int, int, int]:
    """In one transaction: matching questions (with answers and votes), then matching votes,
    then matching inbox rows; params: (for questions and votes, for the inbox)."""
    param, inbox_param = params
    try:
        questions, answers, votes = await _delete_questions(store, questions_where, (param,))
        cur = await store.db.execute(f"DELETE FROM votes WHERE {votes_where}", (param,))
        kept = await store.db.execute(f"DELETE FROM inbox WHERE {inbox_where}", (inbox_param,))
        await store.db.commit()
    except BaseException:
        await store.db.rollback()
        raise
    return questions, answers, votes + cur.rowcount, kept.rowcount


async def purge_older_than(store: Store, days: int, now: datetime | None = None) -> PurgeResult:
    """Delete questions (with answers and votes) asked, and votes cast, more than `days` ago."""
    if days < 1:
        raise ValueError("days must be at least 1")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    cutoff = moment - timedelta(days=days)
    stamp = cutoff.isoformat()  # stored stamps are UTC ISO strings: they sort as text
    inbox_stamp = (moment - KEEP_IDS).isoformat()
    where = ("asked_at < ?", "voted_at < ?", "received_at < ?")
    return PurgeResult(cutoff, *await _delete(store, *where, (stamp, inbox_stamp)))


async def forget_user(store: Store, user_hash: str) -> ForgetResult:
    """Delete every question of this user (with its answer and votes), every vote they cast,
    and what of theirs the inbox still holds."""
    where = ("user_hash = ?",) * 3
    return ForgetResult(*await _delete(store, *where, (user_hash, user_hash)))


async def redact_stored_questions(store: Store) -> int:
    """Replace personal data in questions stored before redaction (or an older version of it).

    Runs once per REDACTION_VERSION; returns how many questions were changed.
    """
    if await store.get_meta(REDACTION_KEY) == REDACTION_VERSION:
        return 0
    async with store.db.execute(
        "SELECT id, question FROM questions WHERE question IS NOT NULL"
    ) as cur:
        rows = [(qid, redacted(text), text) async for qid, text in cur]
    changed = [(new, qid) for qid, new, old in rows if new != old]
    await store.db.executemany("UPDATE questions SET question = ? WHERE id = ?", changed)
    await store.set_meta(REDACTION_KEY, REDACTION_VERSION)  # commits the updates with it
    return len(changed)
