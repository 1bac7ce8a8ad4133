"""Ordered, named schema steps; PRAGMA user_version records how many have run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple

import aiosqlite

from bot.store.salt import move_salt_to_key_file

Prepare = Callable[[aiosqlite.Connection, Path], Awaitable[None]]


class Migration(NamedTuple):
    """A schema step; `prepare` runs first, for what SQL cannot do (writing a file)."""

    name: str
    sql: str
    prepare: Prepare | None = None


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "create_articles_and_passages",
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL UNIQUE,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT,
            published TEXT,
            author TEXT,
            publisher TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            title_terms TEXT NOT NULL DEFAULT '',
            ingested_at TEXT NOT NULL
        );
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            section TEXT,
            text TEXT NOT NULL,
            UNIQUE (article_id, position)
        );
        CREATE TABLE passage_terms (
            passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            terms TEXT NOT NULL
        );
        """,
    ),
    Migration(
        "create_questions",
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL,
            chat_type TEXT NOT NULL,
            user_hash TEXT,
            question TEXT,
            top_score REAL,
            answered INTEGER NOT NULL,
            latency_ms REAL
        );
        CREATE INDEX questions_asked_at ON questions(asked_at);
        """,
    ),
    Migration(
        "create_meta_and_index_snapshot",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE index_snapshot (key TEXT PRIMARY KEY, blob BLOB NOT NULL);
        """,
    ),
    Migration(
        "create_answers_and_votes",
        """
        CREATE TABLE answers (
            question_id INTEGER PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,
            passage_ids TEXT NOT NULL
        );
        CREATE TABLE votes (
            question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
            user_hash TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at TEXT NOT NULL,
            PRIMARY KEY (question_id, user_hash)
        );
        """,
    ),
    Migration(
        # `shown`: how many leading passage_ids the answer cited; NULL on older rows, which
        # the reports read as 1 (only the first passage is surely one the user saw).
        # The index serves /forget, which looks questions up by user.
        "add_answers_shown_and_questions_user_index",
        """
        ALTER TABLE answers ADD COLUMN shown INTEGER;
        CREATE INDEX questions_user_hash ON questions(user_hash);
        """,
    ),
    Migration(
        # The cited articles as [source, title] pairs: passage ids change when an article is
        # re-ingested, and the reports must still know what an old answer quoted.
        "add_answers_cited_articles",
        "ALTER TABLE answers ADD COLUMN cited TEXT;",
    ),
    Migration(
        # The answer's confidence (0-1), so the reports can show questions near the
        # BOT_MIN_CONFIDENCE threshold; NULL on older rows and when no passage matched at all.
        "add_questions_confidence",
        "ALTER TABLE questions ADD COLUMN confidence REAL;",
    ),
    Migration(
        # 1 for a passage that answers an FAQ question (its section); the answer then says
        # what it is about. Older passages come from articles, never from FAQ files: 0.
        "add_passages_faq",
        "ALTER TABLE passages ADD COLUMN faq INTEGER NOT NULL DEFAULT 0;",
    ),
    Migration(
        # The user-id salt leaves the database for a key file beside it (bot/store/salt.py):
        # with the salt in the same file, a leaked database gave away every asker's id.
        "move_user_salt_to_key_file",
        "DELETE FROM meta WHERE key = 'user_hash_salt';",
        move_salt_to_key_file,
    ),
    Migration(
        # The chat (as a salted hash) and message an answer's buttons were sent on: a button
        # pressed anywhere else is forged (callback data is only `v:<id>:1`). NULL on older
        # rows, whose buttons then answer "expired".
        "add_answers_chat_and_message",
        """
        ALTER TABLE answers ADD COLUMN chat_hash TEXT;
        ALTER TABLE answers ADD COLUMN message_id INTEGER;
        """,
    ),
    Migration(
        # The earlier question a follow-up was read against (personal data replaced), so the
        # next follow-up reads against it too; NULL for a question read alone.
        # The index finds the answer a reply is for, and a chat's last answer.
        "add_answers_follows",
        """
        ALTER TABLE answers ADD COLUMN follows TEXT;
        CREATE INDEX answers_chat ON answers(chat_hash, message_id);
        """,
    ),
    Migration(
        # "Báo cho tôi khi có câu trả lời": the chat to message when the question is answered,
        # kept only for citizens who pressed the button, and deleted once they are messaged
        # (and with the question: the retention purge and /forget delete it).
        "create_subscriptions",
        """
        CREATE TABLE subscriptions (
            question_id INTEGER PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            subscribed_at TEXT NOT NULL
        );
        """,
    ),
    Migration(
        # Updates addressed to the bot, kept before Telegram is told they arrived, so a crash
        # loses none: `payload` (the update's JSON) until it is answered, then NULL; the id
        # stays a day to recognise an update Telegram sends again. user_hash serves /forget;
        # question_id is the question recorded for it, so a replay does not record it twice.
        "create_inbox",
        """
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            received_at TEXT NOT NULL,
            user_hash TEXT,
            payload TEXT,
            question_id INTEGER
        );
        CREATE INDEX inbox_user_hash ON inbox(user_hash);
        """,
    ),
)


async def migrate(db: aiosqlite.Connection, path: Path) -> int:
    """Run the steps this database (at `path`) has not seen yet; returns how many ran."""
    async with db.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    done = row[0] if row else 0
    for version, step in enumerate(MIGRATIONS[done:], start=done + 1):
        if step.prepare is not None:
            await step.prepare(db, path)
        # executescript commits first, so each step and its version bump land together.
        await db.executescript(f"BEGIN;\n{step.sql}\nPRAGMA user_version = {version};\nCOMMIT;")
    return max(len(MIGRATIONS) - done, 0)
