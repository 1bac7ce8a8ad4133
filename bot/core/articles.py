"""Passages ranked with their whole article's BM25 score added: long answers count as a whole.

A citizen's long question is often answered by an article whose words are spread over several
passages; the best passage alone then loses to a short passage of another article that happens
to repeat a few of the words. Adding `weight` × the article's own BM25 score (the article as one
document, from the same postings merged per article) to each of its passages keeps the order
inside an article and lets spread-out evidence count. Measured on both dev sets (README, Ranking).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.core.index import (
    BM25Index,
    Candidates,
    Known,
    Postings,
    ScoredDoc,
    sorted_unique,
    top_positions,
)

ARTICLE_CANDIDATES = 50  # the best passages whose articles get their whole-article score


def merged_postings(postings: Postings, groups: np.ndarray) -> Postings:
    """The postings with each group of documents (`groups[doc]`, 0..n-1) counted as one."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    offsets, doc_ids, freqs = postings.offsets, postings.doc_ids, postings.term_freqs
    if len(groups) > 1 and bool(np.any(groups[1:] < groups[:-1])):
        doc_ids, freqs = _by_group(postings, groups, n_groups)
    # Within a term, documents of one group are now neighbours: each run becomes one posting.
    owner = groups[doc_ids]
    first = np.ones(len(owner), dtype=bool)
    np.not_equal(owner[1:], owner[:-1], out=first[1:])
    first[offsets[:-1][offsets[:-1] < len(owner)]] = True
    starts = np.flatnonzero(first)
    running = np.zeros(len(owner) + 1, dtype=np.int64)
    np.cumsum(freqs.astype(np.int64), out=running[1:])  # a casting cumsum is ~10× slower
    return Postings(
        vocabulary=postings.vocabulary,
        offsets=np.searchsorted(starts, offsets).astype(np.int64),
        doc_ids=owner[starts].astype(np.intp),
        term_freqs=np.diff(running[np.append(starts, len(owner))]).astype(np.int32),
        doc_lengths=np.bincount(groups, postings.doc_lengths, n_groups).astype(np.int32),
    )


def _by_group(postings: Postings, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, ...]:
    """Doc ids and term freqs reordered by group within each term (an article re-ingested later
    has its passages at the end, out of article order)."""
    rows = np.repeat(np.arange(len(postings.vocabulary), dtype=np.int64), np.diff(postings.offsets))
    order = np.argsort(rows * n_groups + groups[postings.doc_ids], kind="stable")
    return postings.doc_ids[order], postings.term_freqs[order]


def article_numbers(article_ids: np.ndarray) -> np.ndarray:
    """Dense article numbers 0..n-1 in order of the ids, one per passage."""
    return np.unique(np.asarray(article_ids), return_inverse=True)[1].reshape(-1)


def article_postings(postings: Postings, article_ids: np.ndarray) -> Postings:
    """The passages' postings merged per article: each article as one document."""
    return merged_postings(postings, article_numbers(article_ids))


class ArticleRanker:
    """Scores passages as BM25(passage) + weight × BM25(its whole article); weight 0 is plain."""

    def __init__(
        self,
        passages: BM25Index,
        article_ids: np.ndarray,
        weight: float,
        articles: Postings | None = None,
    ):
        """`articles`: `article_postings` of these passages when already at hand (a snapshot)."""
        self.passages = passages
        self.weight = weight
        self.article_of = article_numbers(article_ids)
        self.articles = None
        # The passages of each article, for the shortlist: article a owns _by_article[_starts[a]:
        # _starts[a + 1]].
        self._by_article = np.argsort(self.article_of, kind="stable")
        self._starts = np.concatenate(([0], np.cumsum(np.bincount(self.article_of))))
        if weight > 0:
            merged = articles or merged_postings(passages.postings, self.article_of)
            if len(merged.vocabulary) != len(passages.postings.vocabulary):
                raise ValueError("article postings must share the passages' vocabulary")
            self.articles = BM25Index(merged, passages.params, passages.term_ids)

    def __len__(self) -> int:
        return len(self.passages)

    def places(self, doc: int) -> list[tuple[BM25Index, int]]:
        """Passage `doc` in the passages' index, and its whole article in the articles'."""
        article = [] if self.articles is None else [(self.articles, int(self.article_of[doc]))]
        return [(self.passages, doc), *article]

    def candidates(self, terms: Sequence[str] | Known, k: int | None = None) -> Candidates:
        """Every passage sharing a term with the question, with its article's share added; with
        `k`, only those that can be among the best k or be another article's best."""
        if self.articles is None:
            return self.passages.candidates(terms)
        known = self.passages.known(terms)  # the articles share the passages' vocabulary
        raw = self.passages.scores(known)
        # Only articles of the best passages can reach the top (on both dev sets the top 50
        # already give identical rankings): a lookup per term instead of a pass over its postings.
        best = _scored(raw, top_positions(raw, ARTICLE_CANDIDATES))
        wanted = sorted_unique(self.article_of[best])
        whole = np.zeros(len(self.articles))
        whole[wanted] = self.articles.scores_of(known, wanted)
        # The shortlist needs every added share to be ≥ 0: only tiny corpora have negative idf.
        docs = self._shortlist(raw, best, wanted, k if bool(np.all(whole >= 0)) else None)
        return Candidates(docs, raw[docs] + self.weight * whole[self.article_of[docs]])

    def _shortlist(
        self, raw: np.ndarray, best: np.ndarray, wanted: np.ndarray, k: int | None
    ) -> np.ndarray:
        """The passages whose blended score can be among the best k: the wanted articles' and
        the k best by their own score (the rest keep their own score and fall below these).
        Without `k`, or when those k all belong to one article (another article's best may then
        lie outside), every passage sharing a term.
        """
        top = best if k is None or k <= ARTICLE_CANDIDATES else _scored(raw, top_positions(raw, k))
        if k is None or (len(wanted) < 2 and bool(np.all(self.article_of[top] == wanted[:1]))):
            return np.flatnonzero(raw != 0)
        lo, hi = self._starts[wanted], self._starts[wanted + 1]
        counts = hi - lo
        within = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        mine = self._by_article[within]
        return sorted_unique(np.concatenate((mine[raw[mine] != 0], top)))

    def search(self, terms: Sequence[str], k: int) -> list[ScoredDoc]:
        return self.candidates(terms, k).best(k)


def _scored(raw: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The positions whose score is not zero (top_positions pads with zeros past the matches)."""
    return positions[raw[positions] != 0]
