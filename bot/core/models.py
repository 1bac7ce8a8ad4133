"""Typed records shared by the loader, the store, the index and the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of an article: at most ~120 words, one section."""

    position: int
    text: str
    section: str | None = None
    faq: bool = False  # an FAQ answer: `section` is the question it answers

    @property
    def indexed_text(self) -> str:
        """What the index reads: an FAQ answer together with its question."""
        return f"{self.section} {self.text}" if self.faq and self.section else self.text


@dataclass(frozen=True)
class Article:
    """One knowledge file, parsed: metadata for citations plus its passages."""

    source: str
    title: str
    passages: tuple[Passage, ...]
    content_hash: str
    url: str | None = None
    published: datetime | None = None
    author: str | None = None
    publisher: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Citation:
    """What a reader needs to find the passage's article again."""

    title: str
    date: str | None
    author: str | None
    url: str | None
    source: str


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with its BM25 score and citation."""

    rank: int
    score: float
    passage_id: int
    text: str
    citation: Citation
    question: str | None = None  # the FAQ question the passage answers; None for article text


class CorpusText(NamedTuple):
    """Passage id → (article id, text), article id → citation, FAQ answer's id → its question."""

    passages: dict[int, tuple[int, str]]
    citations: dict[int, Citation]
    questions: dict[int, str]
