"""From a question's terms to the passages an answer shows: at most two an article, steered by
the kind of answer asked for, with what the confidence needs from the ranking.

Pure computation over one loaded corpus version (`LoadedIndex`); the engine loads it from the
store and swaps it whole on reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.core.articles import ArticleRanker
from bot.core.confidence import NEAR_TIE, SPREAD_PASSAGES, Ranked
from bot.core.index import BM25Index, Candidates, Known, Postings, ScoredDoc
from bot.core.models import CorpusText, Hit
from bot.core.question_kinds import KindReader, QuestionKind, Steering, ranking_kinds, steer
from bot.core.text import TextPipeline

MAX_PER_ARTICLE = 2
Arrays = dict[str, np.ndarray]
# The per-article postings ride in the index snapshot: merging them costs ~2 s at 100k passages.
ARTICLE_ARRAYS = ("offsets", "doc_ids", "term_freqs", "doc_lengths")


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
    index: BM25Index, ids: Arrays, text: CorpusText, version: str, article_weight: float
) -> LoadedIndex:
    """A LoadedIndex whose ranker blends in whole articles at `article_weight`."""
    stored = None
    if "article_offsets" in ids:
        arrays = (ids[f"article_{name}"] for name in ARTICLE_ARRAYS)
        stored = Postings(index.postings.vocabulary, *arrays)
    ranker = ArticleRanker(index, ids["article_ids"], article_weight, stored)
    return LoadedIndex(index, ids["passage_ids"], ids["article_ids"], text, version, ranker)


class Ranking(NamedTuple):
    """Passages for the answer, the ids after them that 'Xem thêm' pages through, and what the
    confidence needs from the ranking."""

    chosen: list[tuple[int, float]]
    further: list[int]
    terms: list[str]
    ranked: Ranked | None  # None when nothing shares a term with the question
    docs: dict[int, int]  # passage id → document number, for the chosen passages
    known: Known  # `terms` looked up in the index once, for the confidence's term table too


class PassageRanking:
    """How questions are ranked: the text pipeline, and the kinds of answer that steer."""

    def __init__(self, pipeline: TextPipeline, kinds: KindReader | None, steering: Steering):
        self.pipeline, self.kinds, self.steering = pipeline, kinds, steering

    def rank(
        self,
        loaded: LoadedIndex,
        question: str,
        top_k: int,
        further: int,
        asked: tuple[QuestionKind, ...] = (),
    ) -> Ranking:
        """Best passages (at most two an article), then `further` more ids from any article."""
        terms = self.pipeline.terms(question)
        known = loaded.index.known(terms)
        k = max(top_k * 4 + 8, SPREAD_PASSAGES) + further  # the confidence reads the best 20
        candidates, every = loaded.ranker.candidates(known, k), False
        while True:
            found = self._steered(loaded, candidates.best(k), asked, terms)
            chosen = _capped(loaded, found, top_k)
            if len(chosen) == top_k or len(found) < k:
                break
            k *= 4  # one long article filled the window; look further for other articles
            if not every:  # the shortlist served that k; every candidate serves any k
                candidates, every = loaded.ranker.candidates(known), True
        shown = {pid for pid, _ in chosen}
        ids = (int(loaded.passage_ids[doc]) for doc, _ in found)
        further_ids = [pid for pid in ids if pid not in shown][:further]
        docs = {int(loaded.passage_ids[doc]): doc for doc, _ in found}
        ranked = _ranked(loaded, candidates, found, chosen)
        chosen_docs = {pid: docs[pid] for pid, _ in chosen}
        return Ranking(chosen, further_ids, terms, ranked, chosen_docs, known)

    def _steered(
        self,
        loaded: LoadedIndex,
        found: list[ScoredDoc],
        asked: tuple[QuestionKind, ...],
        terms: list[str],
    ) -> list[ScoredDoc]:
        """Among close passages, the ones that give the kind of answer asked for first."""
        reader, kinds = self.kinds, ranking_kinds(asked)
        if reader is None or not kinds or len(found) < 2:
            return found
        passages = loaded.text.passages

        def fit(doc: int) -> tuple[int, int]:
            entry = passages.get(int(loaded.passage_ids[doc]))
            return reader.fit(kinds, entry[1]) if entry else (0, 0)

        stop = self.pipeline.folded_stopwords
        return steer(found, fit, loaded.index, terms, loaded.article_ids, self.steering, stop)


def _ranked(
    loaded: LoadedIndex,
    candidates: Candidates,
    found: list[ScoredDoc],
    chosen: list[tuple[int, float]],
) -> Ranked | None:
    """The top passage, the best score of another article, how much of `chosen` agrees, and
    the best scores around it."""
    if not found:
        return None
    top_article = loaded.article_ids[found[0].doc]
    runner_up = _runner_up(loaded, candidates, found, top_article)
    passages = loaded.text.passages
    same = sum(passages[pid][0] == top_article for pid, _ in chosen if pid in passages)
    # Steering may have moved a few: the crowd is the best scores, whatever the order.
    crowd = sorted(found, key=lambda d: -d.score)[:SPREAD_PASSAGES]
    agreement = same / max(len(chosen), 1)
    near = _near_ties(loaded, crowd, found[0].score)
    best = [d.score for d in crowd]
    return Ranked(found[0].doc, found[0].score, runner_up, agreement, best, near)


def _near_ties(loaded: LoadedIndex, crowd: list[ScoredDoc], top: float) -> int:
    """Other articles with a passage in `crowd` (the best scores) within NEAR_TIE of `top`:
    the siblings of an answer crowd it when it is missing."""
    close = {int(loaded.article_ids[d.doc]) for d in crowd if d.score >= NEAR_TIE * top}
    return max(len(close) - 1, 0)


def _runner_up(
    loaded: LoadedIndex, candidates: Candidates, found: list[ScoredDoc], top_article: int
) -> float | None:
    """The best score of a passage of another article. `found` holds the best scores (in
    whatever order steering left them), so any other article in it has the best one there."""
    among = [score for doc, score in found if loaded.article_ids[doc] != top_article]
    if among:
        return max(among)
    others = candidates.scores[loaded.article_ids[candidates.docs] != top_article]
    return float(others.max()) if len(others) else None


def _capped(loaded: LoadedIndex, found: list[ScoredDoc], top_k: int) -> list[tuple[int, float]]:
    per_article: dict[int, int] = {}
    chosen: list[tuple[int, float]] = []
    for doc, score in found:
        article = int(loaded.article_ids[doc])
        if per_article.get(article, 0) < MAX_PER_ARTICLE and len(chosen) < top_k:
            per_article[article] = per_article.get(article, 0) + 1
            chosen.append((int(loaded.passage_ids[doc]), score))
    return chosen


def hits_of(loaded: LoadedIndex, ranked: list[tuple[int, float]]) -> list[Hit]:
    """Hits for the ranked passage ids still in this corpus version, numbered by their place."""
    passages, citations, questions = loaded.text
    hits = []
    for rank, (pid, score) in enumerate(ranked, start=1):
        if pid in passages:
            article_id, text = passages[pid]
            hits.append(Hit(rank, score, pid, text, citations[article_id], questions.get(pid)))
    return hits
