"""'Báo cho tôi khi có câu trả lời': who asked to be told, until they are told.

The chat id is kept in the clear (the bot must be able to message it), only after the citizen
pressed the button, tied to that one question, and deleted once they are messaged — or with the
question itself by the retention purge and `/forget`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.store.database import Store


@dataclass(frozen=True)
class Subscription:
    question_id: int
    chat_id: int
    question: str  # as stored: personal data replaced


async def subscribe(store: Store, question_id: int, chat_id: int) -> bool:
    """Keep the chat to message for this question; False if the question is gone."""
    async with store.db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)) as cur:
        if await cur.fetchone() is None:
            return False
    await store.db.execute(
        "INSERT OR REPLACE INTO subscriptions(question_id, chat_id, subscribed_at) VALUES(?, ?, ?)",
        (question_id, chat_id, datetime.now(UTC).isoformat()),
    )
    await store.db.commit()
    return True


async def waiting(store: Store) -> list[Subscription]:
    """Every question someone waits for, oldest first."""
    async with store.db.execute(
        "SELECT s.question_id, s.chat_id, q.question FROM subscriptions s"
        " JOIN questions q ON q.id = s.question_id ORDER BY s.question_id"
    ) as cur:
        return [Subscription(int(r[0]), int(r[1]), r[2] or "") async for r in cur]


async def told(store: Store, question_id: int) -> None:
    """They were messaged: the chat id goes."""
    await store.db.execute("DELETE FROM subscriptions WHERE question_id = ?", (question_id,))
    await store.db.commit()
