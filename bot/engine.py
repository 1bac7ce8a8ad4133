"""The engine: store + pipeline + index behind one `ask` call (`KnowledgeBase`).

It lives beside `bot.core` rather than inside it because it reads SQLite: `bot.core` stays free
of I/O, and one module above both `core` and `store` keeps the layering a straight line that
every front end (CLI, Telegram, editors' reload) can use.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import numpy as np

from bot.core.actions import ActionReader, AskedActions, table_lines
from bot.core.answer import (
    Answer,
    Matcher,
    Question,
    compose,
    prepare_question,
    question_problem,
)
from bot.core.articles import article_postings
from bot.core.confidence import CONFIDENCE_MODEL, Evidence, TermTable, gather
from bot.core.followup import Context, FollowUp, follow_up, is_short, refers_back, use_context
from bot.core.index import BM25Index, BM25Params, Postings
from bot.core.models import Hit
from bot.core.question_kinds import KindReader, Steering
from bot.core.ranking import (
    ARTICLE_ARRAYS,
    Arrays,
    LoadedIndex,
    PassageRanking,
    hits_of,
    loaded_index,
)
from bot.core.spelling import corrections
from bot.core.support import Support, offered, supporting
from bot.core.text import TextPipeline
from bot.core.topic import TopicReader
from bot.settings import Settings
from bot.store.database import IndexedPassage, Store

log = logging.getLogger(__name__)
SNAPSHOT_FORMAT = "s3"  # bump when the snapshot's arrays change: old snapshots are rebuilt


def bm25_params(settings: Settings) -> BM25Params:
    """The BM25Okapi parameters the settings ask for."""
    return BM25Params(settings.bm25_k1, settings.bm25_b, settings.bm25_epsilon)


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
    weight = settings.article_weight
    return await asyncio.to_thread(loaded_index, index, ids, text, version, weight)


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
        self.topics = TopicReader(pipeline)
        self.actions = ActionReader(pipeline, table_lines(settings.actions_file))
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

    def _read_kinds(self, question: Question) -> Question:
        """The question with what it asks for (a place, a duration…) read, unless ignored."""
        if self.kinds is None:
            return question
        return question.reading(self.kinds.read(question.searched))

    def hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        """Hits for ranked passage ids still in the serving corpus (the paging buttons' path)."""
        return hits_of(self.loaded, ranked)

    def answer_now(self, question: Question, top_k: int, further: int) -> Answer:
        """Rank and compose in the calling thread, on one corpus version throughout."""
        loaded = self.loaded
        question = self._read_slips(loaded, question)
        question = self._read_kinds(question)
        asked = question.asked.kinds if question.asked else ()
        ranking = PassageRanking(self.pipeline, self.kinds, self.steering).rank(
            loaded, question.searched, top_k, further, asked
        )
        hits = hits_of(loaded, ranking.chosen)

        parts = [self.pipeline.terms(part) for part in question.parts]
        table = TermTable(loaded.index, ranking.known, list(ranking.docs.values()), parts)
        matcher = Matcher(self.pipeline, question.searched)  # read once for every source judged
        actions = self._asked_actions(question, matcher.accented)

        def judge(coverage: float, top: Hit) -> tuple[float, Evidence | None]:
            if ranking.ranked is None:
                return 0.0, None
            missing = actions.missing(loaded.ranker.places(ranking.docs[top.passage_id]))
            evidence = gather(table, ranking.ranked, coverage, missing)
            return self.model.confidence(evidence, len(loaded.index)), evidence

        unclear = self._unclear(question, hits)
        threshold = self.settings.min_confidence
        answer = compose(
            self.pipeline, question, hits, judge, threshold, self.kinds, unclear, matcher
        )
        support = Support(loaded, ranking, table, self.model, threshold, actions)
        return self._sourced(support, matcher, answer, further, unclear)

    def _sourced(
        self, support: Support, matcher: Matcher, answer: Answer, further: int, unclear: bool
    ) -> Answer:
        """The answer with only its supporting sources cited (the rest behind "Xem thêm"), or
        a "not found" with the nearest titles that came close."""
        shown, demoted = supporting(support, matcher, answer)
        further_ids = tuple(dict.fromkeys([*demoted, *support.ranking.further]))[
            : max(further, len(demoted))
        ]
        # A question that names no topic is offered the nearest articles to choose from.
        floor = 0.0 if unclear else self.settings.suggest_confidence
        near = offered(support, matcher, answer, floor)
        unsure = answer.answered and answer.confidence < self.settings.sure_confidence
        return dataclasses.replace(
            answer, hits=shown, further=further_ids, offered=near, unsure=unsure
        )

    def _asked_actions(self, question: Question, accented: bool) -> AskedActions:
        """The actions the question asks: a story's are its last sentence's (the table reads
        "mất bao lâu" as asking a duration, not as losing something)."""
        last = question.parts[-1] if question.parts else question.searched
        return self.actions.asked(last, accented)

    def _unclear(self, question: Question, hits: list[Hit]) -> bool:
        """The question names no topic, and no editor has answered it as worded: an FAQ pair
        whose own question names none either ("Nộp hồ sơ ở đâu?") is a general answer."""
        if not self.topics.names_no_topic(question.searched):
            return False
        faq = hits[0].question if hits else None
        if not faq:
            return True
        asked = self._read_kinds(prepare_question(faq, self.settings.max_question_chars))
        return not self.topics.names_no_topic(asked.searched)

    def _read_slips(self, loaded: LoadedIndex, question: Question) -> Question:
        """The question with its typing slips read as the knowledge base's words."""
        fixes = corrections(question.searched, loaded.index.doc_freq, self._reads_itself)
        return dataclasses.replace(question, spelling=fixes) if fixes else question

    def _reads_itself(self, word: str) -> bool:
        """Shorthand and abbreviations: words the text pipeline spells out itself."""
        return self.pipeline.spell_out(word) is not None or self.pipeline.expand(word) is not None

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
