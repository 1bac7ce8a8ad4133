"""Schema steps on databases an older version of the bot left behind."""

from __future__ import annotations

import sqlite3

from bot.settings import Settings
from bot.store.database import Store
from bot.store.migrations import MIGRATIONS
from bot.store.records import QuestionRecord, record_question


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


async def test_confidence_column_is_added_to_a_schema_6_database_keeping_its_rows(
    settings: Settings,
) -> None:
    settings.db_path.parent.mkdir(parents=True)
    with sqlite3.connect(settings.db_path) as db:  # as schema version 6 left it
        db.executescript("".join(m.sql for m in MIGRATIONS[:6]) + "PRAGMA user_version = 6;")
        db.execute(
            "INSERT INTO questions(asked_at, chat_type, user_hash, question, top_score, answered,"
            " latency_ms) VALUES('2024-05-01T03:00:00+00:00', 'private', 'u', 'cũ', 2.5, 1, 12.0)"
        )
        db.execute("INSERT INTO answers(question_id, passage_ids, shown) VALUES(1, '[7]', 1)")
        assert "confidence" not in columns(db, "questions")
    db.close()

    store = await Store.open(settings.db_path)
    try:
        record = QuestionRecord("group", "v", "mới", 3.0, False, 8.0, 0.31)
        new = await record_question(store, record, [9])
    finally:
        await store.close()

    with sqlite3.connect(settings.db_path) as db:
        assert MIGRATIONS[6].name == "add_questions_confidence"
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        rows = db.execute(
            "SELECT id, question, top_score, answered, latency_ms, confidence FROM questions"
            " ORDER BY id"
        ).fetchall()
        answers = db.execute("SELECT question_id, passage_ids FROM answers").fetchall()
    db.close()
    assert rows == [(1, "cũ", 2.5, 1, 12.0, None), (new, "mới", 3.0, 0, 8.0, 0.31)]
    assert answers == [(1, "[7]"), (new, "[9]")]


async def test_faq_column_is_added_to_a_schema_7_database_its_passages_not_faq(
    settings: Settings,
) -> None:
    settings.db_path.parent.mkdir(parents=True)
    with sqlite3.connect(settings.db_path) as db:  # as schema version 7 left it
        db.executescript("".join(m.sql for m in MIGRATIONS[:7]) + "PRAGMA user_version = 7;")
        db.execute(
            "INSERT INTO articles(source, content_hash, title, ingested_at)"
            " VALUES('a.md', 'h', 'Bài cũ', '2024-05-01T03:00:00+00:00')"
        )
        db.execute(
            "INSERT INTO passages(article_id, position, section, text) VALUES(1, 0, 'S', 'T')"
        )
        assert "faq" not in columns(db, "passages")
    db.close()

    store = await Store.open(settings.db_path)
    try:
        text = await store.corpus_text()
    finally:
        await store.close()

    assert MIGRATIONS[7].name == "add_passages_faq"
    assert text.passages == {1: (1, "T")} and text.questions == {}  # a section is no question
