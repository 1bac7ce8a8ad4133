"""The key file of the hashed user ids (bot/store/salt.py) in the cases the bot rarely meets."""

from __future__ import annotations

import sqlite3
import stat

from bot.settings import Settings
from bot.store.database import Store
from bot.store.migrations import MIGRATIONS
from bot.store.records import user_salt
from bot.store.salt import key_path

SCHEMA_BEFORE = 8


def schema_8_with_salt(settings: Settings, salt: str) -> None:
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(settings.db_path) as db:
        steps = "".join(m.sql for m in MIGRATIONS[:SCHEMA_BEFORE])
        db.executescript(steps + f"PRAGMA user_version = {SCHEMA_BEFORE};")
        db.execute("INSERT INTO meta(key, value) VALUES('user_hash_salt', ?)", (salt,))
    db.close()


async def test_a_databases_own_salt_wins_over_a_key_file_left_from_another(
    settings: Settings,
) -> None:
    """A restored old backup beside the key of the database it replaced: its rows need its salt."""
    schema_8_with_salt(settings, "salt-of-the-restored-backup")
    key = key_path(settings.db_path)
    key.write_text("key-of-the-replaced-database\n")

    store = await Store.open(settings.db_path)
    try:
        salt = user_salt(store, None)
    finally:
        await store.close()

    assert salt == "salt-of-the-restored-backup"
    assert key.with_suffix(".key.old").read_text().strip() == "key-of-the-replaced-database"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


async def test_a_key_file_readable_by_others_is_made_private(settings: Settings) -> None:
    store = await Store.open(settings.db_path)
    try:
        first = user_salt(store, None)
        key_path(settings.db_path).chmod(0o644)
        again = user_salt(store, None)
    finally:
        await store.close()

    assert first == again
    assert stat.S_IMODE(key_path(settings.db_path).stat().st_mode) == 0o600
