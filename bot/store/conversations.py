"""The context of a follow-up: the earlier question an answer was for, read from the log.

Nothing new is kept for it: the question (personal data replaced), the article it cited, and
for a follow-up the earlier question it was read against, all in the rows the retention purge
and `/forget` already delete. Unaddressed group messages are never recorded, so never become
a context.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.core.followup import Context, context_of
from bot.store.database import Store

_SELECT = (
    "SELECT q.question, a.follows, a.cited, q.answered FROM answers a"
    " JOIN questions q ON q.id = a.question_id"
)


def _context(row: aiosqlite.Row | None) -> Context | None:
    if row is None or not (row[0] or row[1]):
        return None
    # A "not found" also lists the passages that came closest: they are no topic.
    cited = json.loads(row[2]) if row[2] and row[3] else []
    topic = cited[0][1] if cited and cited[0][1] else None
    return context_of(row[0] or "", row[1], topic)


async def replied_context(store: Store, chat_hash: str, message_id: int) -> Context | None:
    """The context of the answer sent as `message_id` in this chat, if the bot sent it."""
    async with store.db.execute(
        f"{_SELECT} WHERE a.chat_hash = ? AND a.message_id = ?", (chat_hash, message_id)
    ) as cur:
        return _context(await cur.fetchone())


async def recent_context(store: Store, chat_hash: str, minutes: float) -> Context | None:
    """The context of this chat's last answer, if it is at most `minutes` old."""
    since = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()
    async with store.db.execute(
        f"{_SELECT} WHERE a.chat_hash = ? AND q.asked_at >= ? ORDER BY q.id DESC LIMIT 1",
        (chat_hash, since),
    ) as cur:
        return _context(await cur.fetchone())
