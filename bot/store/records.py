"""What the bot remembers about questions: the log, answers for paging, votes."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.models import Citation
from bot.core.personal_data import redacted
from bot.store.database import Store, format_date
from bot.store.salt import file_salt


@dataclass(frozen=True)
class QuestionRecord:
    """One answered question as the editors' reports will read it."""

    chat_type: str
    user_hash: str | None
    question: str | None
    top_score: float | None
    answered: bool
    latency_ms: float
    confidence: float | None  # the answer's confidence (0-1); None when nothing matched


@dataclass(frozen=True)
class ArticleSummary:
    title: str
    date: str | None
    url: str | None


def hash_user(user_id: int, salt: str) -> str:
    """Salted HMAC of a Telegram user id: votes and floods can be told apart, people not named."""
    return hmac.new(salt.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def user_salt(store: Store, configured: str | None) -> str:
    """BOT_USER_SALT when set, else the key file beside the database (never the DB itself)."""
    return configured or file_salt(store.path)


async def record_question(
    store: Store,
    record: QuestionRecord,
    passage_ids: Sequence[int],
    *,
    shown: int | None = None,
    cited: Sequence[Citation] = (),
    chat_hash: str | None = None,
    follows: str | None = None,
) -> int:
    """Log a question and the ranked passages its answer pages through; returns its id.

    `shown` is how many of the leading passage_ids the reply cited, `cited` their citations
    (kept as source and title, which survive a re-ingest; the reports count those);
    `chat_hash` the chat the answer goes to, the only one where its buttons work; `follows`
    the earlier question a follow-up was read against.
    """
    cur = await store.db.execute(
        "INSERT INTO questions(asked_at, chat_type, user_hash, question, top_score, answered,"
        " latency_ms, confidence) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
        (
            datetime.now(UTC).isoformat(),
            record.chat_type,
            record.user_hash,
            redacted(record.question) if record.question else record.question,
            record.top_score,
            int(record.answered),
            round(record.latency_ms, 2),
            record.confidence,
        ),
    )
    question_id = int(cur.lastrowid or 0)
    await _record_answer(store, question_id, passage_ids, shown, cited, chat_hash, follows)
    await store.db.commit()
    return question_id


async def _record_answer(
    store: Store,
    question_id: int,
    passage_ids: Sequence[int],
    shown: int | None,
    cited: Sequence[Citation],
    chat_hash: str | None,
    follows: str | None,
) -> None:
    """The answer's row, in the question's transaction (committed by the caller)."""
    articles = json.dumps(list(dict.fromkeys((c.source, c.title) for c in cited)))
    await store.db.execute(
        "INSERT INTO answers(question_id, passage_ids, shown, cited, chat_hash, follows)"
        " VALUES(?, ?, ?, ?, ?, ?)",
        (
            question_id,
            json.dumps(list(passage_ids)),
            shown,
            articles if cited else None,
            chat_hash,
            redacted(follows) if follows else None,
        ),
    )


async def answer_of(store: Store, question_id: int) -> tuple[str, list[int]] | None:
    """The question text and its ranked passage ids, for 'Xem thêm' after any restart."""
    async with store.db.execute(
        "SELECT q.question, a.passage_ids FROM questions q JOIN answers a"
        " ON a.question_id = q.id WHERE q.id = ?",
        (question_id,),
    ) as cur:
        row = await cur.fetchone()
    return (row[0] or "", json.loads(row[1])) if row else None


async def bind_message(store: Store, question_id: int, message_id: int) -> None:
    """Remember the message the answer's buttons were sent on: only presses there count."""
    await store.db.execute(
        "UPDATE answers SET message_id = ? WHERE question_id = ?", (message_id, question_id)
    )
    await store.db.commit()


async def is_bound_to(store: Store, question_id: int, chat_hash: str, message_id: int) -> bool:
    """Whether the answer's buttons were sent to this chat, on this message.

    The message id is known only once Telegram has answered the send: a press in that moment
    (within the same chat) is accepted.
    """
    async with store.db.execute(
        "SELECT 1 FROM answers WHERE question_id = ? AND chat_hash = ?"
        " AND (message_id IS NULL OR message_id = ?)",
        (question_id, chat_hash, message_id),
    ) as cur:
        return await cur.fetchone() is not None


async def set_vote(store: Store, question_id: int, user_hash: str, vote: int) -> bool:
    """Record or change a user's 👍/👎 on an answer; False if the answer is unknown."""
    async with store.db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)) as cur:
        if await cur.fetchone() is None:
            return False
    await store.db.execute(
        "INSERT INTO votes(question_id, user_hash, vote, voted_at) VALUES(?, ?, ?, ?)"
        " ON CONFLICT(question_id, user_hash) DO UPDATE SET vote = excluded.vote,"
        " voted_at = excluded.voted_at",
        (question_id, user_hash, vote, datetime.now(UTC).isoformat()),
    )
    await store.db.commit()
    return True


async def list_articles(store: Store, offset: int, limit: int) -> list[ArticleSummary]:
    """Articles of the knowledge base, newest first, one page."""
    async with store.db.execute(
        "SELECT title, published, url FROM articles ORDER BY published DESC, title"
        " LIMIT ? OFFSET ?",
        (limit, offset),
    ) as cur:
        rows = await cur.fetchall()
    return [ArticleSummary(r[0], format_date(r[1]), r[2]) for r in rows]


NOTICE_KEY = "notice"


async def load_notice(store: Store) -> str | None:
    """The editors' one-line notice shown above every answer, if one is set."""
    return await store.get_meta(NOTICE_KEY) or None


async def save_notice(store: Store, notice: str | None) -> None:
    """Set the notice, or remove it with None (kept in the DB: it survives restarts)."""
    await store.set_meta(NOTICE_KEY, notice or "")
