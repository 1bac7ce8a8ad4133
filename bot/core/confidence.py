"""How sure the bot is that its top passage answers the question: evidence in, a number in [0, 1].

The evidence comes from what ranking already touched (the question's terms, their postings and the
top scores); a small logistic model, fitted on both dev sets by `bot.evaluation.honesty`, turns it
into the confidence that `BOT_MIN_CONFIDENCE` compares against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from bot.core.index import BM25Index
from bot.core.text import ACCENTED_PREFIX, SKIP_PREFIX


class Evidence(NamedTuple):
    """What the decision is made from; every field is in [0, 1]."""

    coverage: float  # question content words and word pairs found in the top passage and title
    unigram_cover: float  # rarity-weighted share of the question's syllables in the top passage
    bigram_cover: float  # the same for adjacent syllable pairs (phrases)
    unknown_unigrams: float  # rarity-weighted share of syllables found nowhere in the knowledge
    unknown_bigrams: float  # share of syllable pairs found nowhere in the knowledge
    term_cover: float  # rarity-weighted share of all the question's terms in the passage
    margin: float  # how far the top score is ahead of the next article's
    agreement: float  # share of the cited passages that come from the top article


NO_EVIDENCE = Evidence(0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0)
# The dev sets' average margin and agreement: what a question with no competing article gets.
NEUTRAL_MARGIN, NEUTRAL_AGREEMENT = 0.24, 0.48
PRIOR_PASSAGES = 1000


class Model(NamedTuple):
    """Logistic regression over the evidence fields (in order), plus a bias."""

    weights: tuple[float, ...]
    bias: float

    def confidence(self, evidence: Evidence) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def term_kinds(terms: Sequence[str]) -> tuple[list[str], list[str]]:
    """The question's folded syllables and folded syllable pairs, each once."""
    plain = [t for t in dict.fromkeys(terms) if not t.startswith((SKIP_PREFIX, ACCENTED_PREFIX))]
    return [t for t in plain if "_" not in t], [t for t in plain if t.count("_") == 1]


class TermStats:
    """Per-term rarity and per-document presence, read from the index's postings."""

    def __init__(self, index: BM25Index):
        self.index = index
        # A small knowledge base is read as a sample of a larger one: in 8 passages every word
        # of the one article is "common", which would make a single unknown word outweigh them.
        self.n_docs = max(len(index), PRIOR_PASSAGES)

    def rarity(self, term: str) -> float:
        """A positive idf: rare terms weigh more; a term found nowhere weighs most."""
        df = self.doc_freq(term)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def doc_freq(self, term: str) -> int:
        tid = self.index.term_ids.get(term)
        if tid is None:
            return 0
        offsets = self.index.postings.offsets
        return int(offsets[tid + 1] - offsets[tid])

    def in_doc(self, term: str, doc: int) -> bool:
        tid = self.index.term_ids.get(term)
        if tid is None:
            return False
        offsets = self.index.postings.offsets
        docs = self.index.doc_ids[offsets[tid] : offsets[tid + 1]]
        at = int(np.searchsorted(docs, doc))
        return at < len(docs) and int(docs[at]) == doc


def _weighted_share(terms: list[str], weights: list[float], keep: list[bool]) -> float:
    total = sum(weights)
    return sum(w for w, k in zip(weights, keep) if k) / total if total else 0.0


def term_cover(terms: Sequence[str], stats: TermStats, doc: int) -> float:
    """How much of the question (every term kind, rarity-weighted) the passage holds.

    Terms found nowhere count too (at their high rarity): a question that is mostly unknown
    words is not "covered" by the one common word it shares with a passage.
    """
    unique = list(dict.fromkeys(terms))
    weights = [stats.rarity(t) for t in unique]
    return _weighted_share(unique, weights, [stats.in_doc(t, doc) for t in unique])


class Ranked(NamedTuple):
    """The ranking's part of the evidence: the top document and the scores around it."""

    top_doc: int
    top_score: float
    next_article_score: float | None  # best score of another article; None when none matched
    same_article_share: float


def gather(index: BM25Index, terms: Sequence[str], ranked: Ranked, coverage: float) -> Evidence:
    """The evidence for one question whose best passage is `ranked.top_doc`."""
    stats = TermStats(index)
    unigrams, bigrams = term_kinds(terms)
    u_weights = [stats.rarity(t) for t in unigrams]
    b_weights = [stats.rarity(t) for t in bigrams]
    return Evidence(
        coverage=coverage,
        unigram_cover=_weighted_share(
            unigrams, u_weights, [stats.in_doc(t, ranked.top_doc) for t in unigrams]
        ),
        bigram_cover=_weighted_share(
            bigrams, b_weights, [stats.in_doc(t, ranked.top_doc) for t in bigrams]
        ),
        unknown_unigrams=_weighted_share(
            unigrams, u_weights, [stats.doc_freq(t) == 0 for t in unigrams]
        ),
        unknown_bigrams=_weighted_share(
            bigrams, [1.0] * len(bigrams), [stats.doc_freq(t) == 0 for t in bigrams]
        ),
        term_cover=term_cover(terms, stats, ranked.top_doc),
        **_competition(ranked),
    )


def _competition(ranked: Ranked) -> dict[str, float]:
    """Margin and agreement; with no other article in the race (a tiny knowledge base) they say
    nothing, so they take their average on the dev sets instead of looking like certainty."""
    runner_up, top = ranked.next_article_score, ranked.top_score
    if runner_up is None:
        return {"margin": NEUTRAL_MARGIN, "agreement": NEUTRAL_AGREEMENT}
    margin = max(0.0, (top - runner_up) / top) if top > 0 else 0.0
    return {"margin": margin, "agreement": ranked.same_article_share}


# Fitted by `python -m bot eval DATASET --honesty --fit` on both dev sets (law articles and
# citizens' consultation questions), split-half, with and without diacritics, plus the off-topic
# list in tests/data: see the README's Quality section for the figures it gives.
CONFIDENCE_MODEL = Model(
    weights=(1.87, -0.036, 1.217, -1.566, -0.563, 1.256, 3.063, 1.266), bias=-3.534
)
