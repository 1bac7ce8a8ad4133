"""SQLite storage through aiosqlite: articles, passages, their terms, questions, index snapshot."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.core.models import Article, Citation, CorpusText
from bot.store.migrations import migrate


@dataclass(frozen=True)
class IndexedPassage:
    """A passage's terms as persisted, so start-up never re-tokenizes."""

    passage_id: int
    article_id: int
    terms: list[str]
    title_terms: list[str]


@dataclass(frozen=True)
class StoredPassage:
    """A passage with the citation of its article."""

    passage_id: int
    article_id: int
    position: int
    section: str | None
    text: str
    citation: Citation


def _date_text(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def format_date(iso: str | None) -> str | None:
    """Stored ISO date → dd/mm/yyyy, as citations show it."""
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y") if iso else None


def _check_openable(path: Path) -> None:
    """Refuse what SQLite cannot open before aiosqlite's thread starts: when its connect fails,
    that thread outlives the event loop and prints a traceback at exit."""
    if path.is_dir():
        raise sqlite3.OperationalError("đường dẫn là một thư mục, không phải tệp")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise sqlite3.OperationalError("không có quyền đọc/ghi tệp")


class Store:
    """The project's one database; every method is a small transaction, unless it runs inside
    `transaction()`, which commits them together."""

    def __init__(self, db: aiosqlite.Connection, path: Path):
        self.db = db
        self.path = path
        self._in_transaction = False

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating folder and file on demand) and bring the schema up to date."""
        path.parent.mkdir(parents=True, exist_ok=True)
        _check_openable(path)
        db = await aiosqlite.connect(path)
        try:
            db.row_factory = aiosqlite.Row
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA busy_timeout=5000")
            # Deleted rows are zeroed on disk: /forget and the purge must not leave questions
            # readable in free pages of the file.
            await db.execute("PRAGMA secure_delete=ON")
            if await migrate(db, path):
                # Rows a migration deleted (the old salt) must not linger in the WAL file.
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            # An open connection's thread would keep the process alive after the error.
            await db.close()
            raise
        return cls(db, path)

    async def close(self) -> None:
        await self.db.close()

    async def check_integrity(self) -> None:
        """sqlite3.DatabaseError when any page of the file is damaged (e.g. a truncated copy).

        Opening reads only the first pages: a file cut short or overwritten further on would
        otherwise pass until a query happens to touch the damage (`purge` saying "0 deleted").
        """
        async with self.db.execute("PRAGMA quick_check(1)") as cur:
            row = await cur.fetchone()
        if row is None or row[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """The writes inside become visible together when the block ends, or never.

        A process killed (or an error raised) half-way leaves the database as it was before:
        SQLite drops an uncommitted transaction, and readers meanwhile see the old content.
        """
        await self.db.execute("BEGIN IMMEDIATE")  # take the write lock now, not half-way
        self._in_transaction = True
        try:
            yield
        except BaseException:
            await self.db.rollback()
            raise
        finally:
            self._in_transaction = False
        await self.db.commit()

    async def _commit(self) -> None:
        """Commit now, or at the end of the enclosing transaction()."""
        if not self._in_transaction:
            await self.db.commit()

    async def get_meta(self, key: str) -> str | None:
        async with self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set_meta(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        await self._commit()

    async def article_hashes(self) -> dict[str, str]:
        """Source → content hash of every ingested article."""
        async with self.db.execute("SELECT source, content_hash FROM articles") as cur:
            return {row[0]: row[1] async for row in cur}

    async def replace_article(
        self, article: Article, title_terms: Sequence[str], passage_terms: Sequence[Sequence[str]]
    ) -> None:
        """Insert or replace one article with its passages and their terms, atomically."""
        await self.db.execute("DELETE FROM articles WHERE source = ?", (article.source,))
        cur = await self.db.execute(
            "INSERT INTO articles(source, content_hash, title, url, published, author, publisher,"
            " tags, title_terms, ingested_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.source,
                article.content_hash,
                article.title,
                article.url,
                _date_text(article.published),
                article.author,
                article.publisher,
                json.dumps(list(article.tags), ensure_ascii=False),
                " ".join(title_terms),
                datetime.now(UTC).isoformat(),
            ),
        )
        article_id = cur.lastrowid
        # Ids chosen here as SQLite would (max + 1; the DELETE above holds the write lock), so
        # both tables take one executemany each: a whole-corpus ingest holds the lock ~10× less.
        async with self.db.execute("SELECT COALESCE(MAX(id), 0) FROM passages") as max_cur:
            row = await max_cur.fetchone()
        first = (row[0] if row else 0) + 1
        rows = list(zip(range(first, first + len(article.passages)), article.passages))
        await self.db.executemany(
            "INSERT INTO passages(id, article_id, position, section, text, faq)"
            " VALUES(?, ?, ?, ?, ?, ?)",
            [(i, article_id, p.position, p.section, p.text, p.faq) for i, p in rows],
        )
        await self.db.executemany(
            "INSERT INTO passage_terms(passage_id, terms) VALUES(?, ?)",
            [(i, " ".join(t)) for (i, _), t in zip(rows, passage_terms, strict=True)],
        )
        await self._bump_version()

    async def delete_articles(self, sources: Iterable[str]) -> int:
        """Remove articles (and, by cascade, their passages); returns how many went."""
        removed = 0
        for source in sources:
            cur = await self.db.execute("DELETE FROM articles WHERE source = ?", (source,))
            removed += cur.rowcount
        if removed:
            await self._bump_version()
        return removed

    async def _bump_version(self) -> None:
        """Every content change gets a new version, which invalidates the index snapshot."""
        await self.db.execute(
            "INSERT INTO meta(key, value) VALUES('corpus_version', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
        await self._commit()

    async def corpus_version(self) -> str:
        return await self.get_meta("corpus_version") or "0"

    async def indexed_passages(self) -> list[IndexedPassage]:
        """Every passage's stored terms, in passage id order."""
        query = (
            "SELECT p.id, p.article_id, t.terms, a.title_terms FROM passages p "
            "JOIN passage_terms t ON t.passage_id = p.id "
            "JOIN articles a ON a.id = p.article_id ORDER BY p.id"
        )
        async with self.db.execute(query) as cur:
            return [IndexedPassage(r[0], r[1], r[2].split(), r[3].split()) async for r in cur]

    async def corpus_text(self) -> CorpusText:
        """Every passage's text and every article's citation, for the serving index to keep."""
        async with self.db.execute(
            "SELECT id, title, published, author, url, source FROM articles"
        ) as cur:
            citations = {
                r[0]: Citation(r[1], format_date(r[2]), r[3], r[4], r[5]) async for r in cur
            }
        async with self.db.execute(
            "SELECT id, article_id, text, CASE WHEN faq THEN section END FROM passages"
        ) as cur:
            rows = await cur.fetchall()
        questions = {r[0]: r[3] for r in rows if r[3]}
        return CorpusText({r[0]: (r[1], r[2]) for r in rows}, citations, questions)

    async def passages(self, passage_ids: Sequence[int]) -> dict[int, StoredPassage]:
        """Passages with their citations, keyed by id."""
        if not passage_ids:
            return {}
        query = (
            "SELECT p.id, p.article_id, p.position, p.section, p.text, a.title, a.published,"
            " a.author, a.url, a.source FROM passages p JOIN articles a ON a.id = p.article_id"
            f" WHERE p.id IN ({','.join('?' * len(passage_ids))})"
        )
        async with self.db.execute(query, list(passage_ids)) as cur:
            rows = await cur.fetchall()
        return {
            r[0]: StoredPassage(
                r[0], r[1], r[2], r[3], r[4], Citation(r[5], format_date(r[6]), r[7], r[8], r[9])
            )
            for r in rows
        }

    async def load_snapshot(self, key: str) -> bytes | None:
        """The persisted index blob, if it was built for exactly this key."""
        async with self.db.execute("SELECT blob FROM index_snapshot WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def save_snapshot(self, key: str, blob: bytes) -> None:
        await self.db.execute("DELETE FROM index_snapshot")
        await self.db.execute("INSERT INTO index_snapshot(key, blob) VALUES(?, ?)", (key, blob))
        await self.db.commit()

    async def counts(self) -> tuple[int, int]:
        """(articles, passages) in the knowledge base."""
        async with self.db.execute(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM passages)"
        ) as cur:
            row = await cur.fetchone()
        return (row[0], row[1]) if row else (0, 0)
