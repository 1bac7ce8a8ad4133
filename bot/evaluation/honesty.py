"""Split-half honesty: is the bot right when the answer is there, and honest when it is not?

The documents are split in two halves by a stable hash of their ids. Each half in turn is the
knowledge base and every question is asked: a question whose gold document is in the half should
be answered with the gold among the cited passages ("right"), the others should get "not found"
("honest"). Off-topic questions should never be answered, against either half.

A city starts with tens of articles: `judge_small` asks the same of knowledge bases of a given
size instead of halves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.core.answer import prepare_question
from bot.core.confidence import Evidence
from bot.core.index import BM25Index, Postings
from bot.core.models import Citation, CorpusText
from bot.core.ranking import loaded_index
from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase, bm25_params
from bot.evaluation.beir import Dataset, article_passages
from bot.evaluation.styles import Style, rewriter
from bot.settings import Settings
from bot.sources.parallel import terms_for_all

THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))
TOP_ARTICLES = 3  # the protocol: "answered with the gold in the top 3"
SMALL_KBS = 40  # small knowledge bases judged at most (`eval --honesty --kb-size N`)


@dataclass(frozen=True)
class Judged:
    """One question asked against one half: where its gold was, and what the bot made of it."""

    in_kb: bool  # the gold document is in this half (False for off-topic questions)
    gold_cited: bool  # the gold document is among the cited passages
    confidence: float
    evidence: Evidence | None
    off_topic: bool = False
    passages: int = 0  # the size of the knowledge base it was asked against
    gold_top3: bool = False  # the gold is among the first three articles, cited or "Xem thêm"
    offered: bool = False  # a "not found" offered titles (at the configured thresholds)
    gold_offered: bool = False  # … and the gold document's was one of them
    unclear: bool = False  # read as naming no topic, and asked back


@dataclass(frozen=True)
class Honesty:
    threshold: float
    right: float  # answered with the gold cited, among questions whose gold is there
    honest: float  # "not found", among questions whose gold is not there
    off_topic_answered: int
    off_topic: int
    answered: float = (
        0.0  # answered at all (gold cited or not), among questions whose gold is there
    )
    right_top3: float = 0.0  # answered with the gold among the first three articles


class Hedged(NamedTuple):
    """Answers the reply says it is not sure of (below `sure`) and the others: how many, and the
    share of each that is right (the gold among the first three articles)."""

    unsure: int
    unsure_right: float
    sure: int
    sure_right: float


class Suggested(NamedTuple):
    """What the "not found"s offered, at the configured thresholds."""

    missed: int  # questions whose gold is there but that were not answered
    gold: float  # the gold offered, among those
    any: float  # anything offered, among the same questions
    off_topic: int  # off-topic askings offered anything
    off_topic_asked: int


def half_of(doc_id: str) -> int:
    """0 or 1, the same on every machine and run."""
    return hashlib.sha256(doc_id.encode("utf-8")).digest()[0] & 1


class Corpus:
    """The dataset tokenized once, so each half's index is only a postings build."""

    def __init__(self, ds: Dataset, pipeline: TextPipeline, settings: Settings):
        self.ds, self.pipeline, self.settings = ds, pipeline, settings
        self.passages = [article_passages(t, settings.max_passage_words) for t in ds.texts]
        flat = [p for ps in self.passages for p in ps]
        terms = terms_for_all(pipeline, ds.titles + flat)
        self.title_terms, body = terms[: len(ds.titles)], terms[len(ds.titles) :]
        bounds = np.cumsum([0, *map(len, self.passages)])
        self.body_terms = [body[bounds[a] : bounds[a + 1]] for a in range(len(self.passages))]

    def knowledge_base(self, articles: Sequence[int]) -> KnowledgeBase:
        """A serving knowledge base holding only `articles` (dataset positions), in memory."""
        weight = self.settings.title_weight
        lists: list[list[str]] = []
        passage_of: list[int] = []
        article_of: list[int] = []
        texts: dict[int, tuple[int, str]] = {}
        for a in articles:
            for text, terms in zip(self.passages[a], self.body_terms[a]):
                pid = len(lists)
                lists.append(self.title_terms[a] * weight + terms)
                passage_of.append(pid)
                article_of.append(a)
                texts[pid] = (a, text)
        index = BM25Index(Postings.build(lists), bm25_params(self.settings))
        citations = {
            a: Citation(self.ds.titles[a], None, None, None, self.ds.doc_ids[a]) for a in articles
        }
        ids = {
            "passage_ids": np.array(passage_of, dtype=np.int64),
            "article_ids": np.array(article_of, dtype=np.int64),
        }
        corpus_text = CorpusText(texts, citations, {})
        loaded = loaded_index(index, ids, corpus_text, "eval", self.settings.article_weight)
        return KnowledgeBase(None, self.pipeline, loaded, self.settings)


class Asked(NamedTuple):
    cited: set[str]  # documents of the cited passages
    top3: set[str]  # the first three documents of the ranking, cited or behind "Xem thêm"
    confidence: float
    evidence: Evidence | None
    offered: set[str]  # documents whose titles a "not found" offered
    unclear: bool


def _ask(kb: KnowledgeBase, text: str) -> Asked:
    """What the bot cites and ranks first, its confidence and evidence, whatever the threshold."""
    question = prepare_question(text, kb.settings.max_question_chars)
    answer = kb.answer_now(question, kb.settings.top_k, TOP_ARTICLES * 4)
    cited = [h.citation.source for h in answer.hits]
    # The ids after the cited ones: the demoted sources first, then the ranking's next ones.
    passages, citations = kb.loaded.text.passages, kb.loaded.text.citations
    behind = [citations[passages[pid][0]].source for pid in answer.further if pid in passages]
    first = list(dict.fromkeys(cited + behind))[:TOP_ARTICLES]
    # A title stands for its first passage's document (untitled documents share one title).
    first_of = {h.citation.title: h.citation.source for h in reversed(answer.hits)}
    offered = {first_of[title] for title in answer.offered}
    return Asked(
        set(cited), set(first), answer.confidence, answer.evidence, offered, answer.unclear
    )


KnowledgeBases = list[tuple[list[int], list[str]]]  # (articles, question ids asked of them)


def judge_all(
    corpus: Corpus, style: Style = Style.WRITTEN, off_topic: Sequence[str] = ()
) -> list[Judged]:
    """Every question (and off-topic question) against both halves."""
    return _judge_each(corpus, knowledge_bases(corpus, None), style, off_topic)


def judge_small(
    corpus: Corpus, size: int, style: Style = Style.WRITTEN, off_topic: Sequence[str] = ()
) -> list[Judged]:
    """Every off-topic question, and questions with and without their article, against
    knowledge bases of `size` articles (see `knowledge_bases`)."""
    return _judge_each(corpus, knowledge_bases(corpus, size), style, off_topic)


def judge_aside(
    corpus: Corpus, off_topic: Sequence[str], size: int | None, style: Style = Style.WRITTEN
) -> list[Judged]:
    """Only `off_topic` questions (a list kept aside for checking), against the same
    knowledge bases as `judge_all` (`size` None) or `judge_small`."""
    kbs: KnowledgeBases = [(articles, []) for articles, _ in knowledge_bases(corpus, size)]
    return _judge_each(corpus, kbs, style, off_topic)


def knowledge_bases(corpus: Corpus, size: int | None) -> KnowledgeBases:
    """The two halves, each asked every question; or, with `size`, knowledge bases of `size`
    articles (consecutive in a stable hash order, up to SMALL_KBS of them), each asked the
    questions whose article it holds and as many whose article it does not (a different
    stretch for each)."""
    ds = corpus.ds
    if size is None:
        halves = [[a for a, d in enumerate(ds.doc_ids) if half_of(d) == h] for h in (0, 1)]
        return [(half, list(ds.queries)) for half in halves]
    order = sorted(range(len(ds.doc_ids)), key=lambda a: _stable(ds.doc_ids[a]))
    questions = sorted(ds.queries, key=_stable)
    kbs: KnowledgeBases = []
    for k in range(min(SMALL_KBS, len(order) // max(size, 1))):
        articles = order[k * size : (k + 1) * size]
        present = {ds.doc_ids[a] for a in articles}
        there = [q for q in questions if ds.qrels[q] & present]
        absent = [q for q in questions if not ds.qrels[q] & present]
        start = k * len(there) % max(len(absent), 1)
        kbs.append((articles, there + (absent[start:] + absent[:start])[: len(there)]))
    return kbs


def _judge_each(
    corpus: Corpus, kbs: KnowledgeBases, style: Style, off_topic: Sequence[str]
) -> list[Judged]:
    return [
        j for articles, asked in kbs for j in _judge_kb(corpus, articles, asked, style, off_topic)
    ]


def _stable(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _judge_kb(
    corpus: Corpus,
    articles: Sequence[int],
    questions: Sequence[str],
    style: Style,
    off_topic: Sequence[str],
) -> list[Judged]:
    """`questions` (ids) and the off-topic ones asked of a knowledge base holding `articles`."""
    ds, judged = corpus.ds, []
    prepare = rewriter(style, corpus.pipeline)
    kb = corpus.knowledge_base(articles)
    present, size = {ds.doc_ids[a] for a in articles}, len(kb.loaded.index)
    for qid in questions:
        gold = ds.qrels[qid]
        got = _ask(kb, prepare(ds.queries[qid]))
        there, right, top3 = bool(gold & present), bool(gold & got.cited), bool(gold & got.top3)
        offered = (bool(got.offered), bool(gold & got.offered), got.unclear)
        judged.append(
            Judged(there, right, got.confidence, got.evidence, False, size, top3, *offered)
        )
    for text in off_topic:
        got = _ask(kb, prepare(text))
        offered = (bool(got.offered), False, got.unclear)
        judged.append(
            Judged(False, False, got.confidence, got.evidence, True, size, False, *offered)
        )
    return judged


def honesty_at(judged: Sequence[Judged], threshold: float) -> Honesty:
    """Right, honest and off-topic answered when the bot answers at `threshold` or above."""
    there = [j for j in judged if j.in_kb]
    absent = [j for j in judged if not j.in_kb and not j.off_topic]
    off = [j for j in judged if j.off_topic]
    right = sum(j.gold_cited and j.confidence >= threshold for j in there)
    right_top3 = sum(j.gold_top3 and j.confidence >= threshold for j in there)
    honest = sum(j.confidence < threshold for j in absent)
    return Honesty(
        threshold,
        right / max(len(there), 1),
        honest / max(len(absent), 1),
        sum(j.confidence >= threshold for j in off),
        len(off),
        sum(j.confidence >= threshold for j in there) / max(len(there), 1),
        right_top3 / max(len(there), 1),
    )


def sweep(judged: Sequence[Judged], thresholds: Sequence[float] = THRESHOLDS) -> list[Honesty]:
    return [honesty_at(judged, t) for t in thresholds]


def suggested(judged: Sequence[Judged], threshold: float) -> Suggested:
    """How often a "not found" offered the gold's title, and how often an off-topic question got
    any title offered; `threshold` is the one the questions were asked at."""
    missed = [j for j in judged if j.in_kb and j.confidence < threshold]
    off = [j for j in judged if j.off_topic]
    n = max(len(missed), 1)
    return Suggested(
        len(missed),
        sum(j.gold_offered for j in missed) / n,
        sum(j.offered for j in missed) / n,
        sum(j.offered for j in off),
        len(off),
    )


def hedged(judged: Sequence[Judged], threshold: float, sure: float) -> Hedged:
    """Answered questions (off-topic ones included) split at `sure`."""
    answered = [j for j in judged if j.confidence >= threshold]
    unsure = [j for j in answered if j.confidence < sure]
    plain = [j for j in answered if j.confidence >= sure]

    def right(group: list[Judged]) -> float:
        return sum(j.in_kb and j.gold_top3 for j in group) / max(len(group), 1)

    return Hedged(len(unsure), right(unsure), len(plain), right(plain))
