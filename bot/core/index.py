"""BM25 over per-term postings: BM25Okapi's scores at the cost of a question's postings."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from bot.core.blobs import pack_arrays, unpack_arrays

WEIGHT_CHUNK = 1 << 20  # postings per step of the weight computation
TOP_BLOCK = 64  # scores per group when looking for a floor under the best ones


class BM25Params(NamedTuple):
    """BM25Okapi's knobs, with rank-bm25's defaults."""

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25


class ScoredDoc(NamedTuple):
    """A document number (position in the indexed list) and its score."""

    doc: int
    score: float


class Known(NamedTuple):
    """A question's distinct terms in order of first use, each with its id in an index (None:
    unknown there) and how often it is asked. Looked up once, they serve every index over the
    same vocabulary and the confidence's term table: a lookup in a 257k-entry dictionary
    misses the cache ~100 times a question."""

    ids: dict[str, int | None]
    counts: list[int]


class Candidates(NamedTuple):
    """Scored documents of one question, unordered; `best` picks the top ones."""

    docs: np.ndarray
    scores: np.ndarray

    def best(self, k: int) -> list[ScoredDoc]:
        """The k highest scores, ties broken by document number."""
        if k <= 0:
            return []
        top = top_positions(self.scores, k)
        top = top[np.lexsort((self.docs[top], -self.scores[top]))][:k]
        return [ScoredDoc(int(self.docs[i]), float(self.scores[i])) for i in top]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique` of a few hundred numbers: its hashing set-up costs more than a sort here."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, and of any tied with the k-th (in no order).

    A long question shares a word with most passages; partitioning all of them twice a question
    cost ~2 ms at 100k. The k-th largest of the maxima of any k or more groups of scores is a
    floor for the k-th largest score (k distinct scores reach it), so only the few scores above
    it are partitioned. The groups are strided (every `groups`-th score): their maxima reduce
    across whole rows, ~0.1 ms faster at 100k than the maxima of contiguous blocks.
    """
    n = len(scores)
    if n <= k:
        return np.arange(n)
    groups = n // TOP_BLOCK
    if groups >= 2 * k:
        maxima = scores[: groups * TOP_BLOCK].reshape(TOP_BLOCK, groups).max(axis=0)
        positions = np.flatnonzero(scores >= np.partition(maxima, groups - k)[groups - k])
    else:
        positions = np.arange(n)
    kept = scores[positions]
    return positions[kept >= np.partition(kept, len(kept) - k)[len(kept) - k]]


def lookup_table(doc_ids: np.ndarray, spans: Sequence[slice], docs: np.ndarray) -> np.ndarray:
    """For each span (a term's postings, never empty) and each of `docs`: where that document is,
    or would be, in the span (clipped into it), so `doc_ids[at] == docs` says which hold it.

    One search per term; the offsets and the clipping then run over the table at once.
    """
    at = np.empty((len(spans), len(docs)), dtype=np.intp)
    for row, span in enumerate(spans):
        at[row] = doc_ids[span].searchsorted(docs)
    at += np.array([span.start for span in spans], dtype=np.intp)[:, None]
    last = np.array([span.stop - 1 for span in spans], dtype=np.intp)
    np.minimum(at, last[:, None], out=at)
    return at


class Retriever(Protocol):
    """What the answer layer needs from a retrieval backend."""

    def candidates(self, terms: Sequence[str] | Known, k: int | None = None) -> Candidates: ...

    def search(self, terms: Sequence[str], k: int) -> list[ScoredDoc]: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Postings:
    """Raw term statistics, independent of BM25 parameters, so they can be persisted."""

    vocabulary: list[str]
    offsets: np.ndarray  # int64, len(vocabulary) + 1: term t owns [offsets[t], offsets[t+1])
    doc_ids: np.ndarray  # int32 when built, intp when loaded; ascending within a term
    term_freqs: np.ndarray  # int32
    doc_lengths: np.ndarray  # int32, one per document

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]]) -> Postings:
        """Count terms of each document and lay postings out term by term (in numpy)."""
        flat: list[str] = []
        lengths: list[int] = []
        for tokens in token_lists:
            lengths.append(len(tokens))
            flat.extend(tokens)
        # Term ids in order of first appearance, assigned at C speed (dict keeps insertion order).
        term_ids = dict.fromkeys(flat, 0)
        for i, term in enumerate(term_ids):
            term_ids[term] = i
        n_docs = max(len(lengths), 1)
        keys = np.fromiter(map(term_ids.__getitem__, flat), dtype=np.int64, count=len(flat))
        keys *= n_docs
        keys += np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        # Sorted (term, doc) pairs with their counts: the postings, term by term, docs ascending.
        pairs, freqs = np.unique(keys, return_counts=True)
        rows = pairs // n_docs
        offsets = np.zeros(len(term_ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(term_ids)), out=offsets[1:])
        return cls(
            vocabulary=list(term_ids),
            offsets=offsets,
            doc_ids=(pairs - rows * n_docs).astype(np.int32),
            term_freqs=freqs.astype(np.int32),
            doc_lengths=np.asarray(lengths, dtype=np.int32),
        )

    def to_bytes(self, **extra: np.ndarray) -> bytes:
        """One blob for SQLite (plus caller's arrays): start-up loads it instead of re-counting."""
        return pack_arrays(
            {
                "vocab": np.frombuffer("\n".join(self.vocabulary).encode(), dtype=np.uint8),
                "offsets": self.offsets,
                # Stored as the native index type, so searching needs no converted copy.
                "doc_ids": self.doc_ids.astype(np.intp),
                "term_freqs": self.term_freqs,
                "doc_lengths": self.doc_lengths,
                **extra,
            }
        )

    @classmethod
    def from_bytes(cls, blob: bytes) -> tuple[Postings, dict[str, np.ndarray]]:
        """Inverse of `to_bytes`: the postings and the caller's extra arrays (views of blob)."""
        arrays = unpack_arrays(blob)
        text = arrays.pop("vocab").tobytes().decode()
        postings = cls(
            vocabulary=text.split("\n") if text else [],
            offsets=arrays.pop("offsets"),
            doc_ids=arrays.pop("doc_ids"),
            term_freqs=arrays.pop("term_freqs"),
            doc_lengths=arrays.pop("doc_lengths"),
        )
        return postings, arrays


def okapi_idf(doc_freqs: np.ndarray, n_docs: int, epsilon: float) -> np.ndarray:
    """rank-bm25's BM25Okapi idf, including its floor for negative values."""
    idf = np.log(n_docs - doc_freqs + 0.5) - np.log(doc_freqs + 0.5)
    if len(idf) == 0:
        return idf
    # BM25Okapi sums idf term by term in Python; math.fsum keeps the average as exact as that.
    average = math.fsum(idf.tolist()) / len(idf)
    return np.where(idf < 0, epsilon * average, idf)


class BM25Index:
    """Precomputed per-posting BM25 weights; a question touches only its terms' postings."""

    def __init__(
        self,
        postings: Postings,
        params: BM25Params | None = None,
        term_ids: dict[str, int] | None = None,
    ):
        """`term_ids`: another index's, when `postings` has the same vocabulary (articles)."""
        self.params = params or BM25Params()
        self.postings = postings
        self.term_ids = term_ids or {term: i for i, term in enumerate(postings.vocabulary)}
        # Python ints: a question's ~100 slices cost a numpy scalar read each otherwise.
        self.bounds: list[int] = postings.offsets.tolist()
        self.doc_ids = postings.doc_ids.astype(np.intp, copy=False)  # no conversion per query
        self.weights = self._weights()

    def __len__(self) -> int:
        return len(self.postings.doc_lengths)

    @classmethod
    def from_token_lists(
        cls, token_lists: Iterable[Sequence[str]], params: BM25Params | None = None
    ) -> BM25Index:
        return cls(Postings.build(token_lists), params)

    def _weights(self) -> np.ndarray:
        p, (k1, b, eps) = self.postings, self.params
        n_docs = len(p.doc_lengths)
        if n_docs == 0:
            return np.zeros(0)
        doc_freqs = np.diff(p.offsets)
        idf = okapi_idf(doc_freqs.astype(np.float64), n_docs, eps)
        # Same float operations as BM25Okapi, with the length norm computed once per document.
        doc_norm = k1 * (1 - b + b * p.doc_lengths / (p.doc_lengths.sum() / n_docs))
        weights = np.empty(len(p.doc_ids))
        # Whole terms at a time: fresh 100 MB temporaries cost more to fault in than to compute.
        bounds = np.unique(np.searchsorted(p.offsets, np.arange(0, len(weights), WEIGHT_CHUNK)))
        for first, last in zip(bounds, [*bounds[1:], len(doc_freqs)]):
            lo, hi = p.offsets[first], p.offsets[last]
            tf = p.term_freqs[lo:hi].astype(np.float64)
            denominator = doc_norm[p.doc_ids[lo:hi]]
            denominator += tf
            tf *= k1 + 1
            tf /= denominator
            np.multiply(np.repeat(idf[first:last], doc_freqs[first:last]), tf, out=weights[lo:hi])
        return weights

    def doc_freq(self, term: str) -> int:
        """How many documents hold `term` (0 for a term the index does not know)."""
        tid = self.term_ids.get(term)
        return 0 if tid is None else self.bounds[tid + 1] - self.bounds[tid]

    def holds(self, term: str, doc: int) -> bool:
        """Whether document `doc` holds `term` (one search in the term's postings)."""
        tid = self.term_ids.get(term)
        if tid is None:
            return False
        lo, hi = self.bounds[tid], self.bounds[tid + 1]
        at = lo + int(self.doc_ids[lo:hi].searchsorted(doc))
        return at < hi and int(self.doc_ids[at]) == doc

    def known(self, terms: Sequence[str] | Known) -> Known:
        """The question's distinct terms with their ids here, counted first (in C): a long
        question repeats many."""
        if isinstance(terms, Known):
            return terms
        counted = Counter(terms)
        return Known(dict(zip(counted, map(self.term_ids.get, counted))), list(counted.values()))

    def spans(self, terms: Sequence[str] | Known) -> list[slice]:
        """Where each distinct term's postings lie (an empty slice for a term not known here)."""
        bounds = self.bounds
        ids = self.known(terms).ids.values()
        return [slice(0, 0) if t is None else slice(bounds[t], bounds[t + 1]) for t in ids]

    def _term_slices(self, terms: Sequence[str] | Known) -> list[tuple[slice, int]]:
        known, bounds = self.known(terms), self.bounds
        pairs = zip(known.ids.values(), known.counts, strict=True)
        return [(slice(bounds[t], bounds[t + 1]), n) for t, n in pairs if t is not None]

    def scores(self, terms: Sequence[str] | Known) -> np.ndarray:
        """Every document's score, as BM25Okapi.get_scores would give it."""
        out = np.zeros(len(self))
        for span, repeats in self._term_slices(terms):
            weights = self.weights[span]
            # One pass per posting (a fancy-index += reads, adds, then writes): faster here.
            np.add.at(out, self.doc_ids[span], weights if repeats == 1 else repeats * weights)
        return out

    def scores_of(self, terms: Sequence[str] | Known, docs: np.ndarray) -> np.ndarray:
        """`scores(terms)[docs]` for a few ascending documents (looked up, not summed over all)."""
        slices = self._term_slices(terms)
        if not slices or not len(docs):
            return np.zeros(len(docs))
        # One search per term; the lookups and sums then run over a terms × docs table at once.
        at = lookup_table(self.doc_ids, [span for span, _ in slices], docs)
        repeats = np.array([n for _, n in slices], dtype=np.float64)
        weights = np.where(self.doc_ids[at] == docs, self.weights[at], 0.0)
        return (weights * repeats[:, None]).sum(axis=0)

    def candidates(self, terms: Sequence[str] | Known, k: int | None = None) -> Candidates:
        """Every document sharing a term with the question, scored once for any number of tops
        (`k`, how many the caller wants, narrows nothing here)."""
        scores = self.scores(terms)
        # Ten times faster than flatnonzero on the float array itself.
        docs = np.flatnonzero(scores != 0)
        return Candidates(docs, scores[docs])

    def search(self, terms: Sequence[str], k: int) -> list[ScoredDoc]:
        """The k best documents that share at least one term with the question."""
        return self.candidates(terms).best(k)
