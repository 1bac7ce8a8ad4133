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
from bot.core.confidence import (
    CONFIDENCE_MODEL,
    SPREAD_PASSAGES,
    Evidence,
    Ranked,
    TermTable,
    gather,
)
from bot.core.followup import Context, FollowUp, follow_up, is_short, refers_back, use_context
from bot.core.index import BM25Index, BM25Params, Candidates, Postings, ScoredDoc
from bot.core.models import Hit
from bot.core.question_kinds import (
    KindReader,
    QuestionKind,
    Steering,
    content_words,
    near_ties_first,
    ranking_kinds,
    same_words,
)
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
        self.kinds: KindReader | None = KindReader(pipeline)  # None: question kinds ignored
        self.steering = Steering()  # which close passages the kind of answer reorders

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

    def _rank(
        self,
        loaded: LoadedIndex,
        question: str,
        top_k: int,
        further: int,
        asked: tuple[QuestionKind, ...] = (),
    ) -> Ranking:
        """Best passages (at most two an article), then `further` more ids from any article."""
        terms = self.pipeline.terms(question)
        candidates = loaded.ranker.candidates(terms)
        k = max(top_k * 4 + 8, SPREAD_PASSAGES) + further  # the confidence reads the best 20
        while True:
            found = self._steered(loaded, candidates.best(k), asked, terms)
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
        window = [d.doc for d in found[: self.steering.window]]
        short, stop = self.steering.short_question, self.pipeline.folded_stopwords
        held = content_words(loaded.index, terms, window, short, stop)
        passages = loaded.text.passages

        def fit(doc: int) -> tuple[int, int]:
            entry = passages.get(int(loaded.passage_ids[doc]))
            return reader.fit(kinds, entry[1]) if entry else (0, 0)

        same = same_words(held, loaded.article_ids)
        return near_ties_first(found, fit, same, self.steering)

    def _read_kinds(self, question: Question) -> Question:
        """The question with what it asks for (a place, a duration…) read, unless ignored."""
        if self.kinds is None:
            return question
        return dataclasses.replace(question, asked=self.kinds.read(question.searched))

    def hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        """Hits for ranked passage ids still in the serving corpus (the paging buttons' path)."""
        return _hits(self.loaded, ranked)

    def answer_now(self, question: Question, top_k: int, further: int) -> Answer:
        """Rank and compose in the calling thread, on one corpus version throughout."""
        loaded = self.loaded
        question = self._read_slips(loaded, question)
        question = self._read_kinds(question)
        asked = question.asked.kinds if question.asked else ()
        ranking = self._rank(loaded, question.searched, top_k, further, asked)
        hits = _hits(loaded, ranking.chosen)

        table = TermTable(loaded.index, ranking.terms, list(ranking.docs.values()))

        def judge(coverage: float) -> tuple[float, Evidence | None]:
            if ranking.ranked is None:
                return 0.0, None
            evidence = gather(table, ranking.ranked, coverage)
            return self.model.confidence(evidence, len(loaded.index)), evidence

        answer = compose(
            self.pipeline, question, hits, judge, self.settings.min_confidence, self.kinds
        )
        shown, demoted = self._supporting(loaded, ranking, table, question, answer)
        further_ids = tuple(dict.fromkeys([*demoted, *ranking.further]))[
            : max(further, len(demoted))
        ]
        return dataclasses.replace(answer, hits=shown, further=further_ids)

    def _read_slips(self, loaded: LoadedIndex, question: Question) -> Question:
        """The question with its typing slips read as the knowledge base's words."""
        fixes = corrections(question.searched, loaded.index.doc_freq, self._reads_itself)
        return dataclasses.replace(question, spelling=fixes) if fixes else question

    def _reads_itself(self, word: str) -> bool:
        """Shorthand and abbreviations: words the text pipeline spells out itself."""
        return self.pipeline.spell_out(word) is not None or self.pipeline.expand(word) is not None

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
        # The best score cited, not the first: the kind of question may have put a lower one first.
        best = max(score for _, score in ranking.chosen)
        scores = ranking.ranked.best_scores if ranking.ranked else ()
        behind = Ranked(ranking.docs[hit.passage_id], hit.score, best, share, scores)
        return self.model.confidence(gather(table, behind, coverage), len(loaded.index))

    def answer_in_context(
        self, question: Question, context: Context | None, top_k: int, further: int
    ) -> Answer:
        """The answer alone, or read as a follow-up of `context` when that is what it is."""
        alone = self.answer_now(question, top_k, further)
        # Only an answer gives a context: two questions the bot could not answer do not make one.
        found = self._follow_up(question, context) if context and context.topic else None
        if found is None:
            return alone
        joined = self.answer_now(dataclasses.replace(question, context=found.words), top_k, further)
        cannot_stand = refers_back(question.text) or is_short(self.pipeline, question.searched)
        min_confidence = self.settings.min_confidence
        if not use_context(alone.confidence, joined.confidence, cannot_stand, min_confidence):
            return alone
        if context and context.topic and self._elsewhere(question, alone, joined, context.topic):
            return alone  # a new question that only sounds like a follow-up
        # The next follow-up reads on from the same earlier question ("mất mấy ngày?" after
        # "còn lệ phí?" still means the card), not from this one's own words.
        follows = context.question if context else None
        return dataclasses.replace(joined, understood=found.understood, follows=follows)

    def _follow_up(self, question: Question, context: Context) -> FollowUp | None:
        """The earlier answer's article title fills in the topic, not the earlier question's
        own question words ("mất bao lâu" is not the topic of "nộp ở đâu?")."""
        return follow_up(self.pipeline, question.searched, context, context.topic)

    def _elsewhere(self, question: Question, alone: Answer, joined: Answer, topic: str) -> bool:
        """Whether the message stands apart from the earlier answer: the context does not keep it
        on that article, or on its own it is answered from an article it names (even the same
        one: "chinh quyen so la gi" after "Chính quyền số là gì?" needs no context)."""
        if joined.hits[0].citation.title != topic:
            return True
        if not (alone.answered and alone.hits):
            return False
        named = {s.folded for s in self.pipeline.content_words(alone.hits[0].citation.title)}
        return any(s.folded in named for s in self.pipeline.content_words(question.searched))

    async def ask(
        self,
        raw_question: str,
        top_k: int | None = None,
        further: int = 0,
        context: Context | None = None,
    ) -> Answer:
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
            self.answer_in_context, question, context, top_k or self.settings.top_k, further
        )


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
    best = [score for _, score in found]  # steering may have moved a few: spread sorts them
    return Ranked(found[0].doc, found[0].score, runner_up, same / max(len(chosen), 1), best)


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


def _hits(loaded: LoadedIndex, ranked: list[tuple[int, float]]) -> list[Hit]:
    passages, citations, questions = loaded.text
    hits = []
    for rank, (pid, score) in enumerate(ranked, start=1):
        if pid in passages:
            article_id, text = passages[pid]
            hits.append(Hit(rank, score, pid, text, citations[article_id], questions.get(pid)))
    return hits
