"""How sure the bot is that its top passage answers the question: evidence in, a number in [0, 1].

The evidence comes from what ranking already touched (the question's terms, their postings and the
top scores); a small logistic model, fitted on both dev sets by `bot.evaluation.honesty`, turns it
into the confidence that `BOT_MIN_CONFIDENCE` compares against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np

from bot.core.index import BM25Index, Known, lookup_table
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
    near_ties: float  # other articles within NEAR_TIE of the top score, up to MAX_NEAR_TIES, /5
    actions_missing: float = 0.0  # share of the asked actions (cấp lại, hủy…) the passage lacks


NO_EVIDENCE = Evidence(0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
# The dev sets' average margin, agreement, spread and near ties: what a question with no
# competing article (or, for the last two, in a knowledge base below the rarity prior) gets.
NEUTRAL_MARGIN, NEUTRAL_AGREEMENT, NEUTRAL_SPREAD, NEUTRAL_NEAR_TIES = 0.24, 0.48, 0.35, 0.18
# Siblings of a missing answer score close to the top: an article within 10% of it is a near
# tie; five of them say all there is to say.
NEAR_TIE, MAX_NEAR_TIES = 0.9, 5
# A part of a message counts when it holds this many of the question's syllables and pairs.
MIN_PART_TERMS = 3
PRIOR_PASSAGES = 1000
# Near-duplicate answers crowd the top when the exact one is missing: the top score then hardly
# stands out of the next ones. Twenty passages read the crowd better than five or ten (dev sets).
SPREAD_PASSAGES = 20


class OffTopicGate(NamedTuple):
    """In a knowledge base of some size, a question most of whose word pairs occur nowhere in it,
    and whose top passage holds few of its (rarity-weighted) pairs, is not about it."""

    max_pair_cover: float = 0.3
    min_unknown_pairs: float = 0.4
    min_passages: int = PRIOR_PASSAGES  # the rarity prior: below it, unseen pairs say little
    max_passages: int | None = None
    cap: float = 0.1  # its confidence, at most: below any threshold an office would choose

    def closes(self, evidence: Evidence, passages: int) -> bool:
        below = self.max_passages is None or passages < self.max_passages
        return (
            passages >= self.min_passages
            and below
            and evidence.bigram_cover < self.max_pair_cover
            and evidence.unknown_bigrams > self.min_unknown_pairs
        )


OFF_TOPIC_GATE = OffTopicGate()
# Below the prior most pairs of any question are unseen ("mất bao lâu" in a few articles), so
# there only a question nearly all of whose pairs are unseen, and whose passage holds almost
# none of them, is closed; and not below a hundred passages, where that is true of a citizen's
# chatty in-domain question too ("hồ sơ khai sinh cho con gồm những gì vậy"). README, Quality.
SMALL_OFF_TOPIC_GATE = OffTopicGate(0.2, 0.6, min_passages=100, max_passages=PRIOR_PASSAGES)


class SiblingGate(NamedTuple):
    """In a small knowledge base, a top passage (and title) holding none of the actions the
    question asks ("bị mất", "hủy") answers a sibling procedure: "đổi giấy phép lái xe" is no
    answer to "giấy phép lái xe bị mất".

    In a large one the ranking's competition (margin, spread, near ties) sees the siblings and
    the fitted weight of `actions_missing` suffices; below the rarity prior those fields are
    neutral, so the gate stands in for them.
    """

    max_passages: int = PRIOR_PASSAGES
    cap: float = 0.3  # below the default threshold, above the one for offering titles

    def closes(self, evidence: Evidence, passages: int) -> bool:
        return passages < self.max_passages and evidence.actions_missing >= 1.0


SIBLING_GATE = SiblingGate()


class Gate(Protocol):
    """A condition under which the model's confidence is capped, whatever it says."""

    @property
    def cap(self) -> float: ...

    def closes(self, evidence: Evidence, passages: int) -> bool: ...


GATES: tuple[Gate, ...] = (OFF_TOPIC_GATE, SMALL_OFF_TOPIC_GATE, SIBLING_GATE)


class Model(NamedTuple):
    """Logistic regression over the evidence fields (in order), plus a bias; then the gates."""

    weights: tuple[float, ...]
    bias: float
    gates: tuple[Gate, ...] = GATES

    def confidence(self, evidence: Evidence, passages: int) -> float:
        """How sure, given the evidence and the knowledge base's size in passages."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence, strict=True))
        p = 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
        for gate in self.gates:
            if gate.closes(evidence, passages):
                p = min(p, gate.cap)
        return p


def _part_masks(
    unique: Sequence[str], parts: Sequence[Sequence[str]], plain: np.ndarray
) -> list[np.ndarray]:
    """Masks over the question's terms, one per sentence holding enough syllables and pairs."""
    masks = []
    for part in parts:
        held = set(part)
        mask = np.array([t in held for t in unique], dtype=bool)
        if int((mask & plain).sum()) >= MIN_PART_TERMS:
            masks.append(mask)
    return masks


def term_kinds(terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Masks over `terms` (already unique): folded syllables, and folded syllable pairs."""
    plain = np.array([not t.startswith((SKIP_PREFIX, ACCENTED_PREFIX)) for t in terms], bool)
    unders = np.array([t.count("_") for t in terms], dtype=np.int64)
    return plain & (unders == 0), plain & (unders == 1)


class TermTable:
    """The question's terms against the passages in play: rarity, known anywhere, in which passage.

    Built once per question from the postings (one vectorised lookup per term), so the evidence
    for the answer and for each further source costs a few array sums.
    """

    def __init__(
        self,
        index: BM25Index,
        terms: Sequence[str] | Known,
        docs: Sequence[int],
        parts: Sequence[Sequence[str]] = (),
    ):
        """`terms`: the question's, or the ranking's `Known` of them; `parts`: the terms of each
        sentence of a multi-sentence message."""
        looked_up = index.known(terms)
        unique = list(looked_up.ids)
        spans = index.spans(looked_up)
        df = np.array([span.stop - span.start for span in spans], dtype=np.float64)
        # A small knowledge base is read as a sample of a larger one: in 8 passages every word
        # of the one article is "common", which would make a single unknown word outweigh them.
        self.passages = len(index)
        n_docs = max(self.passages, PRIOR_PASSAGES)
        self.rarity = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        self.unknown = df == 0
        self.unigram, self.bigram = term_kinds(unique)
        self.parts = _part_masks(unique, parts, self.unigram | self.bigram)
        self.column = {doc: c for c, doc in enumerate(dict.fromkeys(docs))}
        targets = np.array(list(self.column), dtype=np.intp)
        self.present = np.zeros((len(unique), len(targets)), dtype=bool)
        known = np.flatnonzero(df > 0)
        if len(known) and len(targets):
            at = lookup_table(index.doc_ids, [spans[row] for row in known], targets)
            self.present[known] = index.doc_ids[at] == targets

    def share(self, mask: np.ndarray, hit: np.ndarray, weighted: bool = True) -> float:
        """The (rarity-weighted) share of the `mask` terms for which `hit` holds."""
        weights = self.rarity[mask] if weighted else mask[mask].astype(np.float64)
        total = float(weights.sum())
        return float(weights[hit[mask]].sum()) / total if total else 0.0


class Ranked(NamedTuple):
    """The ranking's part of the evidence: the top document and the scores around it."""

    top_doc: int
    top_score: float
    next_article_score: float | None  # best score of another article; None when none matched
    same_article_share: float
    best_scores: Sequence[float] = ()  # the best SPREAD_PASSAGES scores of any passage
    near_ties: int = 0  # other articles whose best passage there is within NEAR_TIE of the top


def gather(
    table: TermTable, ranked: Ranked, coverage: float, actions_missing: float = 0.0
) -> Evidence:
    """The evidence for one question whose best passage is `ranked.top_doc`."""
    inside = table.present[:, table.column[ranked.top_doc]]
    # A story, then the question: the sentence the passage answers best speaks for the message,
    # its words and the words it holds that the knowledge base has never seen.
    asked = max([np.ones_like(inside), *table.parts], key=lambda m: table.share(m, inside))
    return Evidence(
        coverage=coverage,
        unigram_cover=table.share(table.unigram, inside),
        bigram_cover=table.share(table.bigram, inside),
        unknown_unigrams=table.share(table.unigram & asked, table.unknown),
        unknown_bigrams=table.share(table.bigram & asked, table.unknown, weighted=False),
        # Terms found nowhere count too (at their high rarity): a question that is mostly
        # unknown words is not "covered" by the one common word it shares with a passage.
        term_cover=table.share(asked, inside),
        **_competition(ranked),
        **_standing(table, ranked),
        actions_missing=actions_missing,
    )


def spread(top: float, best: Sequence[float]) -> float:
    """How far `top` is ahead of the mean of the best scores, as a share of it; a passage the
    question does not match counts as 0, so in a small knowledge base a lone match stands out."""
    if top <= 0:
        return 0.0
    mean = math.fsum(sorted(best, reverse=True)[:SPREAD_PASSAGES]) / SPREAD_PASSAGES
    return max(0.0, (top - mean) / top)


def _standing(table: TermTable, ranked: Ranked) -> dict[str, float]:
    """Spread and near ties; they take their dev sets' averages alone in the race and below the
    rarity prior: in a few articles any match stands out of the empty places behind it."""
    alone = ranked.next_article_score is None or ranked.top_score <= 0
    if alone or table.passages < PRIOR_PASSAGES:
        return {"spread": NEUTRAL_SPREAD, "near_ties": NEUTRAL_NEAR_TIES}
    near_ties = min(ranked.near_ties, MAX_NEAR_TIES) / MAX_NEAR_TIES
    return {"spread": spread(ranked.top_score, ranked.best_scores), "near_ties": near_ties}


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
    weights=(1.943, -0.084, 0.665, -1.577, -0.985, 0.996, 1.861, 1.704, 2.543, -0.619, -1.499),
    bias=-4.076,
)
