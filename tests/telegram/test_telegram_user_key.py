"""The key of the hashed user ids lives outside the database, end to end through the bot.

A leaked database file must not let anyone recompute which Telegram id asked what; an
existing database's key moves out of it, and its old hashes still work (/forget, votes).
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import Settings, SettingsError
from bot.store.database import Store
from bot.store.migrations import MIGRATIONS
from bot.store.records import hash_user
from bot.store.salt import key_path
from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import ask, buttons, press, reply_to
from tests.helpers.fake_bot_api import FakeBotApi

QUESTION = "Chính quyền số là gì?"
OLD_SALT = "0123456789abcdef0123456789abcdef"
SCHEMA_BEFORE = 8  # the last schema that kept the salt in `meta`


def database_bytes(db_path: Path) -> bytes:
    """Everything SQLite keeps for this database: the file, its WAL and shared memory."""
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def old_database(db_path: Path, *user_ids: int) -> None:
    """A database as schema 8 left it: the salt in meta, one question per user hashed with it."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db_path) as db:
        steps = "".join(m.sql for m in MIGRATIONS[:SCHEMA_BEFORE])
        db.executescript(steps + f"PRAGMA user_version = {SCHEMA_BEFORE};")
        db.execute("INSERT INTO meta(key, value) VALUES('user_hash_salt', ?)", (OLD_SALT,))
        for user_id in user_ids:
            db.execute(
                "INSERT INTO questions(asked_at, chat_type, user_hash, question, answered)"
                " VALUES('2026-11-30T03:00:00+00:00', 'private', ?, 'câu hỏi cũ', 1)",
                (hash_user(user_id, OLD_SALT),),
            )
    db.close()


async def test_a_new_database_never_holds_the_key(settings: Settings) -> None:
    async with FakeBotApi(token=TOKEN) as api, running_bot(settings, api):
        answer = await ask(api, QUESTION)
        await press(api, buttons(answer)["👍"], answer)

    key = key_path(settings.db_path)
    salt = key.read_text().strip()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(salt) == 32 and salt.encode() not in database_bytes(settings.db_path)
    with sqlite3.connect(settings.db_path) as db:
        hashes = {row[0] for row in db.execute("SELECT user_hash FROM votes")}
    assert hashes == {hash_user(U.USER_ID, salt)}


async def test_an_old_databases_key_moves_out_and_its_hashes_stay_valid(
    settings: Settings,
) -> None:
    other = U.USER_ID + 1
    old_database(settings.db_path, U.USER_ID, other)
    assert OLD_SALT.encode() in database_bytes(settings.db_path)

    async with FakeBotApi(token=TOKEN) as api, running_bot(settings, api):
        forgot = await reply_to(api, U.private_text("/forget"))

    assert forgot.params["text"] == texts.FORGOTTEN.format(questions=1, votes=0)
    key = key_path(settings.db_path)
    assert key.read_text().strip() == OLD_SALT
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert OLD_SALT.encode() not in database_bytes(settings.db_path)
    with sqlite3.connect(settings.db_path) as db:
        left = db.execute("SELECT user_hash FROM questions").fetchall()
        assert db.execute("SELECT value FROM meta WHERE key = 'user_hash_salt'").fetchall() == []
    assert left == [(hash_user(other, OLD_SALT),)]


async def test_a_configured_salt_creates_no_key_file(settings: Settings) -> None:
    configured = settings.model_copy(
        update={"user_hash_salt": SecretStr("salt-from-the-environment")}
    )
    async with FakeBotApi(token=TOKEN) as api, running_bot(configured, api):
        answer = await ask(api, QUESTION)
        await press(api, buttons(answer)["👎"], answer)

    assert not key_path(settings.db_path).exists()
    with sqlite3.connect(settings.db_path) as db:
        hashes = {row[0] for row in db.execute("SELECT user_hash FROM votes")}
    assert hashes == {hash_user(U.USER_ID, "salt-from-the-environment")}


async def test_an_emptied_key_file_stops_with_one_line(settings: Settings) -> None:
    store = await Store.open(settings.db_path)
    await store.close()
    key_path(settings.db_path).write_text("")
    with pytest.raises(SettingsError, match="trống"):
        async with FakeBotApi(token=TOKEN) as api, running_bot(settings, api):
            pass
