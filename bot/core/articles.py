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

from bot.core.index import BM25Index, Candidates, Postings, ScoredDoc


def merged_postings(postings: Postings, groups: np.ndarray) -> Postings:
    """The postings with each group of documents (`groups[doc]`, 0..n-1) counted as one."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    rows = np.repeat(np.arange(len(postings.vocabulary), dtype=np.int64), np.diff(postings.offsets))
    keys = rows * max(n_groups, 1) + groups[postings.doc_ids]
    freqs = postings.term_freqs
    if len(keys) > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
        # Passages of one article are usually consecutive, so this sort is rarely needed.
        order = np.argsort(keys, kind="stable")
        keys, freqs = keys[order], freqs[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    merged = keys[starts]
    term_rows = merged // max(n_groups, 1)
    offsets = np.zeros(len(postings.vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_rows, minlength=len(postings.vocabulary)), out=offsets[1:])
    lengths = np.bincount(groups, weights=postings.doc_lengths, minlength=n_groups)
    return Postings(
        vocabulary=postings.vocabulary,
        offsets=offsets,
        doc_ids=(merged - term_rows * n_groups).astype(np.intp),
        term_freqs=np.add.reduceat(freqs, starts).astype(np.int32) if len(starts) else freqs,
        doc_lengths=lengths.astype(np.int32),
    )


class ArticleRanker:
    """Scores passages as BM25(passage) + weight × BM25(its whole article); weight 0 is plain."""

    def __init__(self, passages: BM25Index, article_ids: np.ndarray, weight: float):
        self.passages = passages
        self.weight = weight
        # Dense article numbers 0..n-1 in order of the ids, one per passage.
        _, self.article_of = np.unique(np.asarray(article_ids), return_inverse=True)
        self.articles = (
            BM25Index(merged_postings(passages.postings, self.article_of), passages.params)
            if weight > 0
            else None
        )

    def __len__(self) -> int:
        return len(self.passages)

    def candidates(self, terms: Sequence[str]) -> Candidates:
        """Every passage sharing a term with the question, with its article's share added."""
        found = self.passages.candidates(terms)
        if self.articles is None or not len(found.docs):
            return found
        whole = self.articles.scores(terms)
        return Candidates(
            found.docs, found.scores + self.weight * whole[self.article_of[found.docs]]
        )

    def search(self, terms: Sequence[str], k: int) -> list[ScoredDoc]:
        return self.candidates(terms).best(k)
