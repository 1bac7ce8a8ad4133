"""The engine: store + pipeline + index behind one `ask` call (`KnowledgeBase`).

It lives beside `bot.core` rather than inside it because it reads SQLite: `bot.core` stays free
of I/O, and one module above both `core` and `store` keeps the layering a straight line that
every front end (CLI, Telegram, editors' reload) can use.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.core.answer import (
    Answer,
    Matcher,
    Question,
    compose,
    prepare_question,
    question_problem,
)
from bot.core.articles import ArticleRanker, article_postings
from bot.core.confidence import CONFIDENCE_MODEL, Evidence, Ranked, TermTable, gather
from bot.core.index import BM25Index, BM25Params, Candidates, Postings, ScoredDoc
from bot.core.models import Hit
from bot.core.spelling import corrections
from bot.core.text import TextPipeline
from bot.settings import Settings
from bot.store.database import CorpusText, IndexedPassage, Store

log = logging.getLogger(__name__)
MAX_PER_ARTICLE = 2
Arrays = dict[str, np.ndarray]
SNAPSHOT_FORMAT = "s3"  # bump when the snapshot's arrays change: old snapshots are rebuilt
# The per-article postings ride in the snapshot: merging them costs ~2 s at 100k passages.
ARTICLE_ARRAYS = ("offsets", "doc_ids", "term_freqs", "doc_lengths")


def bm25_params(settings: Settings) -> BM25Params:
    """The BM25Okapi parameters the settings ask for."""
    return BM25Params(settings.bm25_k1, settings.bm25_b, settings.bm25_epsilon)


@dataclass(frozen=True)
class LoadedIndex:
    """One consistent corpus version: the BM25 index, its documents' ids, and their passages.

    Answers read passages from here, not from SQLite, so an ingest running beside the bot
    can never pull a passage out from under the index that ranked it.
    """

    index: BM25Index
    passage_ids: np.ndarray
    article_ids: np.ndarray
    text: CorpusText
    version: str
    ranker: ArticleRanker  # the passages' scores with their articles' added: what ranks


def loaded_index(
    index: BM25Index, ids: Arrays, text: CorpusText, version: str, settings: Settings
) -> LoadedIndex:
    """A LoadedIndex whose ranker blends in whole articles as the settings ask."""
    stored = None
    if "article_offsets" in ids:
        arrays = (ids[f"article_{name}"] for name in ARTICLE_ARRAYS)
        stored = Postings(index.postings.vocabulary, *arrays)
    ranker = ArticleRanker(index, ids["article_ids"], settings.article_weight, stored)
    return LoadedIndex(index, ids["passage_ids"], ids["article_ids"], text, version, ranker)


def _build_postings(rows: list[IndexedPassage], title_weight: int) -> tuple[Postings, Arrays]:
    postings = Postings.build(r.title_terms * title_weight + r.terms for r in rows)
    ids = {
        "passage_ids": np.array([r.passage_id for r in rows], dtype=np.int64),
        "article_ids": np.array([r.article_id for r in rows], dtype=np.int64),
    }
    articles = article_postings(postings, ids["article_ids"])
    ids.update({f"article_{name}": getattr(articles, name) for name in ARTICLE_ARRAYS})
    return postings, ids


async def _index_for(store: Store, key: str, settings: Settings) -> tuple[BM25Index, Arrays]:
    """The snapshot's index, or one built from stored terms (and saved) when there is none."""
    blob = await store.load_snapshot(key)
    if blob is not None:
        postings, ids = await asyncio.to_thread(Postings.from_bytes, blob)
    else:
        rows = await store.indexed_passages()
        postings, ids = await asyncio.to_thread(_build_postings, rows, settings.title_weight)
        blob = await asyncio.to_thread(postings.to_bytes, **ids)
        await store.save_snapshot(key, blob)
    return await asyncio.to_thread(BM25Index, postings, bm25_params(settings)), ids


async def load_index(store: Store, pipeline: TextPipeline, settings: Settings) -> LoadedIndex:
    """Load the persisted postings, or build them from stored terms (never re-tokenizing).

    The CPU-heavy steps run in a worker thread, so a bot keeps answering during a reload, and
    the passages are read from SQLite meanwhile.
    """
    version = await store.corpus_version()
    key = f"{SNAPSHOT_FORMAT}:v{version}:{pipeline.fingerprint}:tw{settings.title_weight}"
    (index, ids), text = await asyncio.gather(_index_for(store, key, settings), store.corpus_text())
    return await asyncio.to_thread(loaded_index, index, ids, text, version, settings)


class Ranking(NamedTuple):
    """Passages for the answer, the ids after them that 'Xem thêm' pages through, and what the
    confidence needs from the ranking."""

    chosen: list[tuple[int, float]]
    further: list[int]
    terms: list[str]
    ranked: Ranked | None  # None when nothing shares a term with the question
    docs: dict[int, int]  # passage id → document number, for the chosen passages


class KnowledgeBase:
    """Answers questions from the stored articles; `reload` swaps in a newer corpus whole."""

    def __init__(
        self,
        store: Store | None,
        pipeline: TextPipeline,
        loaded: LoadedIndex,
        settings: Settings,
    ):
        """`store` is None for an index held only in memory (evaluation), which never reloads."""
        self._store = store
        self.pipeline = pipeline
        self.loaded = loaded
        self.settings = settings
        self.model = CONFIDENCE_MODEL

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("this knowledge base lives in memory only, without a database")
        return self._store

    @classmethod
    async def open(cls, store: Store, pipeline: TextPipeline, settings: Settings) -> KnowledgeBase:
        return cls(store, pipeline, await load_index(store, pipeline, settings), settings)

    async def reload(self, store: Store | None = None) -> bool:
        """Build the stored corpus's index aside, then swap it in; False if already current.

        Questions keep using the old index until the single assignment below; callers run one
        reload at a time (bot.reloading.Reloader holds its lock around this).
        """
        source = store or self.store
        if await source.corpus_version() == self.loaded.version:
            return False
        loaded = await load_index(source, self.pipeline, self.settings)
        self.loaded = loaded
        log.info("Chỉ mục mới: %d đoạn, phiên bản %s", len(loaded.index), loaded.version)
        return True

    def _rank(self, loaded: LoadedIndex, question: str, top_k: int, further: int) -> Ranking:
        """Best passages (at most two an article), then `further` more ids from any article."""
        terms = self.pipeline.terms(question)
        candidates = loaded.ranker.candidates(terms)
        k = top_k * 4 + 8 + further
        while True:
            found = candidates.best(k)
            chosen = _capped(loaded, found, top_k)
            if len(chosen) == top_k or len(found) < k:
                break
            k *= 4  # one long article filled the window; look further for other articles
        shown = {pid for pid, _ in chosen}
        ids = (int(loaded.passage_ids[doc]) for doc, _ in found)
        further_ids = [pid for pid in ids if pid not in shown][:further]
        docs = {int(loaded.passage_ids[doc]): doc for doc, _ in found}
        ranked = _ranked(loaded, candidates, found, chosen)
        return Ranking(chosen, further_ids, terms, ranked, {pid: docs[pid] for pid, _ in chosen})

    def hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        """Hits for ranked passage ids still in the serving corpus (the paging buttons' path)."""
        return _hits(self.loaded, ranked)

    def answer_now(self, question: Question, top_k: int, further: int) -> Answer:
        """Rank and compose in the calling thread, on one corpus version throughout."""
        loaded = self.loaded
        question = self._read_slips(loaded, question)
        ranking = self._rank(loaded, question.searched, top_k, further)
        hits = _hits(loaded, ranking.chosen)

        table = TermTable(loaded.index, ranking.terms, list(ranking.docs.values()))

        def judge(coverage: float) -> tuple[float, Evidence | None]:
            if ranking.ranked is None:
                return 0.0, None
            evidence = gather(table, ranking.ranked, coverage)
            return self.model.confidence(evidence), evidence

        answer = compose(self.pipeline, question, hits, judge, self.settings.min_confidence)
        shown, demoted = self._supporting(loaded, ranking, table, question, answer)
        further_ids = tuple(dict.fromkeys([*demoted, *ranking.further]))[
            : max(further, len(demoted))
        ]
        return dataclasses.replace(answer, hits=shown, further=further_ids)

    def _read_slips(self, loaded: LoadedIndex, question: Question) -> Question:
        """The question with its typing slips read as the knowledge base's words."""
        fixes = corrections(question.searched, loaded.index.doc_freq)
        return dataclasses.replace(question, spelling=fixes) if fixes else question

    def _supporting(
        self,
        loaded: LoadedIndex,
        ranking: Ranking,
        table: TermTable,
        question: Question,
        answer: Answer,
    ) -> tuple[tuple[Hit, ...], list[int]]:
        """The cited hits: the first, its article's, and others that would answer on their own.

        A source that does not support the answer by itself goes behind "Xem thêm" instead.
        """
        if not answer.answered or len(answer.hits) < 2:
            return answer.hits, []
        first = loaded.text.passages[answer.hits[0].passage_id][0]
        matcher = Matcher(self.pipeline, question.searched)
        kept, demoted = [answer.hits[0]], []
        for hit in answer.hits[1:]:
            same = loaded.text.passages[hit.passage_id][0] == first
            if (
                same
                or self._own_confidence(loaded, ranking, table, matcher, hit)
                >= self.settings.min_confidence
            ):
                kept.append(dataclasses.replace(hit, rank=len(kept) + 1))
            else:
                demoted.append(hit.passage_id)
        return tuple(kept), demoted

    def _own_confidence(
        self, loaded: LoadedIndex, ranking: Ranking, table: TermTable, matcher: Matcher, hit: Hit
    ) -> float:
        """This passage's confidence as it ranks: behind the answer's article (no margin)."""
        coverage = matcher.coverage(f"{hit.citation.title} {hit.text}")
        article = loaded.text.passages[hit.passage_id][0]
        chosen = [loaded.text.passages[pid][0] for pid, _ in ranking.chosen]
        share = chosen.count(article) / len(chosen)
        behind = Ranked(ranking.docs[hit.passage_id], hit.score, ranking.chosen[0][1], share)
        return self.model.confidence(gather(table, behind, coverage))

    async def ask(self, raw_question: str, top_k: int | None = None, further: int = 0) -> Answer:
        """The answer to one question (plus `further` passage ids to page); never raises.

        Personal data in the question is replaced before anything else reads it: the answer
        carries the replaced text (what front ends may store) and the search ignores it.
        """
        question = prepare_question(raw_question, self.settings.max_question_chars)
        problem = question_problem(question)
        if problem is not None:
            return Answer(
                question.text, problem, truncated=question.truncated, personal=question.personal
            )
        # One thread hop per question: a bot serving many chats keeps its event loop free.
        return await asyncio.to_thread(
            self.answer_now, question, top_k or self.settings.top_k, further
        )


def _ranked(
    loaded: LoadedIndex,
    candidates: Candidates,
    found: list[ScoredDoc],
    chosen: list[tuple[int, float]],
) -> Ranked | None:
    """The top passage, the best score of another article, and how much of `chosen` agrees."""
    if not found:
        return None
    top_article = loaded.article_ids[found[0].doc]
    others = candidates.scores[loaded.article_ids[candidates.docs] != top_article]
    runner_up = float(others.max()) if len(others) else None
    passages = loaded.text.passages
    same = sum(passages[pid][0] == top_article for pid, _ in chosen if pid in passages)
    return Ranked(found[0].doc, found[0].score, runner_up, same / max(len(chosen), 1))


def _capped(loaded: LoadedIndex, found: list[ScoredDoc], top_k: int) -> list[tuple[int, float]]:
    per_article: dict[int, int] = {}
    chosen: list[tuple[int, float]] = []
    for doc, score in found:
        article = int(loaded.article_ids[doc])
        if per_article.get(article, 0) < MAX_PER_ARTICLE and len(chosen) < top_k:
            per_article[article] = per_article.get(article, 0) + 1
            chosen.append((int(loaded.passage_ids[doc]), score))
    return chosen


def _hits(loaded: LoadedIndex, ranked: list[tuple[int, float]]) -> list[Hit]:
    passages, citations, questions = loaded.text
    hits = []
    for rank, (pid, score) in enumerate(ranked, start=1):
        if pid in passages:
            article_id, text = passages[pid]
            hits.append(Hit(rank, score, pid, text, citations[article_id], questions.get(pid)))
    return hits
