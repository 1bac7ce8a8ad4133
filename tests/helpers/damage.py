"""Database files as a failing disk or a torn copy leaves them, built from a real bot database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.text import TextPipeline
from bot.store.database import Store
from bot.store.records import QuestionRecord, record_question
from tests.helpers.files import make_settings, open_kb, write

GARBAGE = bytes(range(256)) * 64  # 16 KB that is no SQLite file


async def used_database(path: Path, knowledge_dir: Path, pipeline: TextPipeline) -> None:
    """Recent questions first, then the knowledge ingested: the file ends with passages."""
    store = await Store.open(path)
    try:
        for n in range(40):
            record = QuestionRecord("private", f"u{n}", f"Câu hỏi thử số {n}?", 1.0, True, 3.0, 0.9)
            await record_question(store, record, [])
    finally:
        await store.close()
    settings = make_settings(path.parent, knowledge_dir).model_copy(update={"db_path": path})
    async with open_kb(settings, pipeline):
        pass


def truncate(path: Path) -> None:
    """Keep the first half of the file, as an interrupted copy or a full disk would."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def overwrite_table(path: Path, table: str) -> None:
    """Fill the first page of `table` with garbage; the rest of the file stays intact."""
    db = sqlite3.connect(path)
    try:
        query = "SELECT rootpage FROM sqlite_master WHERE name = ?"
        (root,) = db.execute(query, (table,)).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    finally:
        db.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * size)
        file.write(GARBAGE[:size])


def garbage_file(path: Path) -> Path:
    return write(path, GARBAGE)
