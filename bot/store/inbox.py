"""The inbox: updates received and not yet answered, written to disk before Telegram learns
they arrived.

It shares the store's one connection: a second one made the store's writes fail with "database
is locked" whenever an inbox commit landed while a store read was still open (measured by the
soak benchmark).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from bot.store.database import Store

KEEP_IDS = timedelta(days=1)  # answered ids kept to recognise a redelivery; also the longest wait


class Pending(NamedTuple):
    """An update kept and not yet answered."""

    update_id: int
    received_at: datetime
    payload: str
    question_id: int | None  # recorded before the stop: not to be recorded again


class InboxDb:
    """The inbox table of the store (secure_delete is on: an answered payload is zeroed)."""

    def __init__(self, store: Store) -> None:
        self.db = store.db

    async def keep(self, update_id: int, payload: str, user_hash: str | None) -> bool:
        """Store an update; False when its id is known already (Telegram sent it again)."""
        cur = await self.db.execute(
            "INSERT OR IGNORE INTO inbox(update_id, received_at, user_hash, payload)"
            " VALUES(?, ?, ?, ?)",
            (update_id, datetime.now(UTC).isoformat(), user_hash, payload),
        )
        await self.db.commit()
        return cur.rowcount == 1

    async def finish(self, update_id: int) -> None:
        """Answered (or given up): the update's content goes, its id stays for a while."""
        await self.db.execute(
            "UPDATE inbox SET payload = NULL WHERE update_id = ? AND payload IS NOT NULL",
            (update_id,),
        )
        await self.db.commit()

    async def note_question(self, update_id: int, question_id: int) -> None:
        """The question this update asked is recorded (as `question_id`)."""
        await self.db.execute(
            "UPDATE inbox SET question_id = ? WHERE update_id = ?", (question_id, update_id)
        )
        await self.db.commit()

    async def pending(self) -> list[Pending]:
        """Updates kept and never answered (a crash, a kill), oldest first."""
        query = (
            "SELECT update_id, received_at, payload, question_id FROM inbox"
            " WHERE payload IS NOT NULL ORDER BY update_id"
        )
        async with self.db.execute(query) as cur:
            return [Pending(r[0], datetime.fromisoformat(r[1]), r[2], r[3]) async for r in cur]
