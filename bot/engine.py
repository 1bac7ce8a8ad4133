"""The answering core: store + pipeline + index behind one `ask` call."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.answer import Answer, Question, compose, prepare_question, question_problem
from bot.index import BM25Index, Postings, ScoredDoc
from bot.models import Hit
from bot.settings import Settings
from bot.store import Store, StoredPassage
from bot.text import TextPipeline

log = logging.getLogger(__name__)
MAX_PER_ARTICLE = 2


@dataclass(frozen=True)
class LoadedIndex:
    """The BM25 index plus, per indexed document, its passage and article ids."""

    index: BM25Index
    passage_ids: np.ndarray
    article_ids: np.ndarray


async def load_index(store: Store, pipeline: TextPipeline, settings: Settings) -> LoadedIndex:
    """Load the persisted postings, or build them from stored terms (never re-tokenizing)."""
    version = await store.corpus_version()
    key = f"v{version}:{pipeline.fingerprint}:tw{settings.title_weight}"
    blob = await store.load_snapshot(key)
    if blob is not None:
        postings, ids = Postings.from_bytes(blob)
    else:
        rows = await store.indexed_passages()
        postings = Postings.build(r.title_terms * settings.title_weight + r.terms for r in rows)
        ids = {
            "passage_ids": np.array([r.passage_id for r in rows], dtype=np.int64),
            "article_ids": np.array([r.article_id for r in rows], dtype=np.int64),
        }
        await store.save_snapshot(key, postings.to_bytes(**ids))
    index = BM25Index(postings, settings.bm25)
    return LoadedIndex(index, ids["passage_ids"], ids["article_ids"])


class Ranking(NamedTuple):
    """Passages for the answer, and the ids after them that 'Xem thêm' pages through."""

    chosen: list[tuple[int, float]]
    further: list[int]


class KnowledgeBase:
    """Answers questions from the stored articles."""

    def __init__(
        self, store: Store, pipeline: TextPipeline, loaded: LoadedIndex, settings: Settings
    ):
        self.store = store
        self.pipeline = pipeline
        self.loaded = loaded
        self.settings = settings

    @classmethod
    async def open(cls, store: Store, pipeline: TextPipeline, settings: Settings) -> KnowledgeBase:
        return cls(store, pipeline, await load_index(store, pipeline, settings), settings)

    def rank(self, question: str, top_k: int, further: int = 0) -> Ranking:
        """Best passages (at most two an article), then `further` more ids from any article."""
        candidates = self.loaded.index.candidates(self.pipeline.terms(question))
        k = top_k * 4 + 8 + further
        while True:
            found = candidates.best(k)
            chosen = self._capped(found, top_k)
            if len(chosen) == top_k or len(found) < k:
                break
            k *= 4  # one long article filled the window; look further for other articles
        shown = {pid for pid, _ in chosen}
        ids = (int(self.loaded.passage_ids[doc]) for doc, _ in found)
        return Ranking(chosen, [pid for pid in ids if pid not in shown][:further])

    def _capped(self, found: list[ScoredDoc], top_k: int) -> list[tuple[int, float]]:
        per_article: dict[int, int] = {}
        chosen: list[tuple[int, float]] = []
        for doc, score in found:
            article = int(self.loaded.article_ids[doc])
            if per_article.get(article, 0) < MAX_PER_ARTICLE and len(chosen) < top_k:
                per_article[article] = per_article.get(article, 0) + 1
                chosen.append((int(self.loaded.passage_ids[doc]), score))
        return chosen

    def _hits(self, ranked: list[tuple[int, float]], stored: dict[int, StoredPassage]) -> list[Hit]:
        return [
            Hit(rank, score, pid, stored[pid].text, stored[pid].citation)
            for rank, (pid, score) in enumerate(ranked, start=1)
            if pid in stored
        ]

    async def hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        """Hits for ranked passage ids (the paging buttons' path)."""
        return self._hits(ranked, await self.store.passages([pid for pid, _ in ranked]))

    def answer_now(self, question: Question, top_k: int, further: int) -> Answer:
        """Rank, fetch and compose in the calling thread: the CPU-bound half of `ask`."""
        ranking = self.rank(question.text, top_k, further)
        stored = self.store.passages_now([pid for pid, _ in ranking.chosen])
        answer = compose(
            self.pipeline, question, self._hits(ranking.chosen, stored), self.settings.min_coverage
        )
        return dataclasses.replace(answer, further=tuple(ranking.further))

    async def ask(self, raw_question: str, top_k: int | None = None, further: int = 0) -> Answer:
        """The answer to one question (plus `further` passage ids to page); never raises."""
        question = prepare_question(raw_question, self.settings.max_question_chars)
        problem = question_problem(question)
        if problem is not None:
            return Answer(question.text, problem, truncated=question.truncated)
        # One thread hop per question: a bot serving many chats keeps its event loop free.
        return await asyncio.to_thread(
            self.answer_now, question, top_k or self.settings.top_k, further
        )
