"""How sure the bot is that its top passage answers the question: evidence in, a number in [0, 1].

The evidence comes from what ranking already touched (the question's terms, their postings and the
top scores); a small logistic model, fitted on both dev sets by `bot.evaluation.honesty`, turns it
into the confidence that `BOT_MIN_CONFIDENCE` compares against.
"""

from __future__ import annotations

import math
from collections import Counter
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
    spread: float  # how far the top score stands out of the best SPREAD_PASSAGES passages'
    score_share: float  # the top passage's own BM25 score against the most the question can score


NO_EVIDENCE = Evidence(0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
# The dev sets' average margin, agreement, spread and score share: what a question gets when
# there is no competing article (or, for the last two, no positive score to read).
NEUTRAL_MARGIN, NEUTRAL_AGREEMENT, NEUTRAL_SPREAD, NEUTRAL_SHARE = 0.24, 0.48, 0.35, 0.28
PRIOR_PASSAGES = 1000
# Near-duplicate answers crowd the top when the exact one is missing: the top score then hardly
# stands out of the next ones. Twenty passages read the crowd better than five or ten (dev sets).
SPREAD_PASSAGES = 20


class OffTopicGate(NamedTuple):
    """In a knowledge base of some size, a question most of whose word pairs occur nowhere in it,
    and whose top passage holds few of its (rarity-weighted) pairs, is not about it.

    In a small one most pairs of any question are unseen ("mất bao lâu" in a few articles), so
    there the gate stays open and the model decides alone.
    """

    max_pair_cover: float = 0.3
    min_unknown_pairs: float = 0.4
    min_passages: int = PRIOR_PASSAGES  # the rarity prior: below it, unseen pairs say little
    cap: float = 0.1  # its confidence, at most: below any threshold an office would choose

    def closes(self, evidence: Evidence, passages: int) -> bool:
        return (
            passages >= self.min_passages
            and evidence.bigram_cover < self.max_pair_cover
            and evidence.unknown_bigrams > self.min_unknown_pairs
        )


OFF_TOPIC_GATE = OffTopicGate()


class Model(NamedTuple):
    """Logistic regression over the evidence fields (in order), plus a bias; then the gate."""

    weights: tuple[float, ...]
    bias: float
    gate: OffTopicGate | None = OFF_TOPIC_GATE

    def confidence(self, evidence: Evidence, passages: int) -> float:
        """How sure, given the evidence and the knowledge base's size in passages."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence, strict=True))
        p = 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
        return min(p, self.gate.cap) if self.gate and self.gate.closes(evidence, passages) else p


def term_kinds(terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Masks over `terms` (already unique): folded syllables, and folded syllable pairs."""
    plain = np.array([not t.startswith((SKIP_PREFIX, ACCENTED_PREFIX)) for t in terms], bool)
    unders = np.array([t.count("_") for t in terms], dtype=np.int64)
    return plain & (unders == 0), plain & (unders == 1)


class TermTable:
    """The question's terms against the passages in play: rarity, known anywhere, in which passage.

    Built once per question from the postings (one vectorised lookup per term, which also gives
    each passage's own BM25 score), so the evidence for the answer and for each further source
    costs a few array sums.
    """

    def __init__(self, index: BM25Index, terms: Sequence[str], docs: Sequence[int]):
        unique = list(dict.fromkeys(terms))
        df = np.array([index.doc_freq(t) for t in unique], dtype=np.float64)
        # A small knowledge base is read as a sample of a larger one: in 8 passages every word
        # of the one article is "common", which would make a single unknown word outweigh them.
        self.passages = len(index)
        n_docs = max(self.passages, PRIOR_PASSAGES)
        self.rarity = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        self.unknown = df == 0
        self.unigram, self.bigram = term_kinds(unique)
        repeats = Counter(terms)
        self.ceiling = _ceiling(index, unique, repeats)
        self.column = {doc: c for c, doc in enumerate(dict.fromkeys(docs))}
        self.present, self.scores = _lookup(index, unique, repeats, list(self.column))

    def own_score(self, doc: int) -> float:
        """`doc`'s BM25 score for the question (a passage in `docs`), from the same lookups."""
        return float(self.scores[self.column[doc]])

    def share(self, mask: np.ndarray, hit: np.ndarray, weighted: bool = True) -> float:
        """The (rarity-weighted) share of the `mask` terms for which `hit` holds."""
        weights = self.rarity[mask] if weighted else mask[mask].astype(np.float64)
        total = float(weights.sum())
        return float(weights[hit[mask]].sum()) / total if total else 0.0


def _ceiling(index: BM25Index, unique: Sequence[str], repeats: Counter[str]) -> float:
    """The most a passage could score: every term (repeats too), each at BM25's saturation."""
    return math.fsum(index.idf_of(t) * repeats[t] for t in unique) * (index.params.k1 + 1)


def _lookup(
    index: BM25Index, unique: Sequence[str], repeats: Counter[str], docs: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Which terms each of `docs` holds, and the docs' BM25 scores: one search per term."""
    targets = np.array(docs, dtype=np.intp)
    where = np.zeros((len(unique), len(targets)), dtype=np.intp)  # postings' positions
    present = np.zeros(where.shape, dtype=bool)
    offsets = index.postings.offsets
    for row, term in enumerate(unique):
        tid = index.term_ids.get(term)
        if tid is not None and len(targets):
            posting = index.doc_ids[offsets[tid] : offsets[tid + 1]]
            at = np.minimum(np.searchsorted(posting, targets), len(posting) - 1)
            present[row] = posting[at] == targets
            where[row] = at + offsets[tid]
    counts = np.array([repeats[t] for t in unique], dtype=np.float64)
    weights = np.where(present, index.weights[where], 0.0) if where.size else where
    return present, counts @ weights


class Ranked(NamedTuple):
    """The ranking's part of the evidence: the top document and the scores around it."""

    top_doc: int
    top_score: float
    next_article_score: float | None  # best score of another article; None when none matched
    same_article_share: float
    best_scores: Sequence[float] = ()  # the best SPREAD_PASSAGES scores of any passage


def gather(table: TermTable, ranked: Ranked, coverage: float) -> Evidence:
    """The evidence for one question whose best passage is `ranked.top_doc`."""
    inside = table.present[:, table.column[ranked.top_doc]]
    everything = np.ones_like(inside)
    return Evidence(
        coverage=coverage,
        unigram_cover=table.share(table.unigram, inside),
        bigram_cover=table.share(table.bigram, inside),
        unknown_unigrams=table.share(table.unigram, table.unknown),
        unknown_bigrams=table.share(table.bigram, table.unknown, weighted=False),
        # Terms found nowhere count too (at their high rarity): a question that is mostly
        # unknown words is not "covered" by the one common word it shares with a passage.
        term_cover=table.share(everything, inside),
        **_competition(ranked),
        **_standing(table, ranked),
    )


def spread(top: float, best: Sequence[float]) -> float:
    """How far `top` is ahead of the mean of the best scores, as a share of it; a passage the
    question does not match counts as 0, so in a small knowledge base a lone match stands out."""
    if top <= 0:
        return 0.0
    mean = math.fsum(sorted(best, reverse=True)[:SPREAD_PASSAGES]) / SPREAD_PASSAGES
    return max(0.0, (top - mean) / top)


def _standing(table: TermTable, ranked: Ranked) -> dict[str, float]:
    """Spread and score share; they take their dev sets' average alone in the race, and below
    the rarity prior: in a few articles any match stands out of the empty places behind it, and
    BM25's idf (floored for a word in half the passages) lets unknown words swamp the ceiling."""
    alone = ranked.next_article_score is None or ranked.top_score <= 0 or table.ceiling <= 0
    if alone or table.passages < PRIOR_PASSAGES:
        return {"spread": NEUTRAL_SPREAD, "score_share": NEUTRAL_SHARE}
    return {
        "spread": spread(ranked.top_score, ranked.best_scores),
        "score_share": min(max(table.own_score(ranked.top_doc) / table.ceiling, 0.0), 1.0),
    }


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
    weights=(1.916, -0.206, 0.408, -1.567, -0.87, 0.678, 1.701, 1.834, 2.65, 1.325), bias=-4.293
)
