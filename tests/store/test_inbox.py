"""The inbox table: kept until answered, a resent id recognised, purged after a day, forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store.database import Store
from bot.store.inbox import InboxDb
from bot.store.privacy import forget_user, purge_older_than

PAYLOAD = '{"update_id": 7, "message": {"text": "CCCD 031095012345 cấp lại thế nào?"}}'


@pytest.fixture
def inbox(store: Store) -> InboxDb:
    return InboxDb(store)


async def rows(store: Store) -> list[tuple[int, str | None]]:
    async with store.db.execute("SELECT update_id, payload FROM inbox ORDER BY 1") as cur:
        return [(r[0], r[1]) async for r in cur]


async def test_an_update_is_pending_until_finished_then_only_its_id_stays(
    store: Store, inbox: InboxDb
) -> None:
    assert await inbox.keep(7, PAYLOAD, "hash-a")
    assert [p.payload for p in await inbox.pending()] == [PAYLOAD]
    assert not await inbox.keep(7, PAYLOAD, "hash-a")  # Telegram sent it again

    await inbox.finish(7)

    assert await inbox.pending() == []
    assert await rows(store) == [(7, None)]  # the text is gone, the id recognises a resend
    assert not await inbox.keep(7, PAYLOAD, "hash-a")


async def test_forget_deletes_what_the_inbox_holds_of_that_user(
    store: Store, inbox: InboxDb
) -> None:
    await inbox.keep(7, PAYLOAD, "hash-a")
    await inbox.keep(8, PAYLOAD, "hash-b")

    result = await forget_user(store, "hash-a")

    assert result.inbox == 1
    assert await rows(store) == [(8, PAYLOAD)]


async def test_the_purge_deletes_inbox_rows_older_than_a_day(store: Store, inbox: InboxDb) -> None:
    await inbox.keep(7, PAYLOAD, "hash-a")
    await inbox.keep(8, PAYLOAD, "hash-b")
    await inbox.finish(8)

    today = await purge_older_than(store, 90)
    tomorrow = await purge_older_than(store, 90, now=datetime.now(UTC) + timedelta(days=1, hours=1))

    assert today.inbox == 0 and tomorrow.inbox == 2
    assert await rows(store) == []
