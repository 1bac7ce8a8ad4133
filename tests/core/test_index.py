"""The postings BM25 index gives exactly rank-bm25's BM25Okapi scores, and ranks by them."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.core.index import (
    BM25Index,
    BM25Params,
    Candidates,
    Postings,
    lookup_table,
    sorted_unique,
    top_positions,
)
from bot.core.text import TextPipeline
from bot.sources.files import load_article
from tests.helpers.files import DATA_DIR, SEED_KNOWLEDGE, SEED_NAME

MADE_UP = DATA_DIR / "made_up_paragraphs.txt"
RTOL, ATOL = 1e-9, 1e-12

QUESTIONS = [
    "Chính quyền số là gì?",
    "chinh quyen so la gi",
    "Người dân đăng ký khai sinh trực tuyến ở đâu?",
    "căn cước công dân căn cước công dân bị mất",  # repeated words
    "người dân người dân thủ tục",  # repeated very common word
    "DVC mức độ 4 trên di động",
    "giấy chứng nhận quyền sử dụng đất",
    "Lợi ích của mô hình chính quyền số đối với doanh nghiệp",
]


def corpus_texts() -> list[str]:
    seed = [p.text for p in load_article(SEED_KNOWLEDGE / SEED_NAME).passages]
    lines = MADE_UP.read_text(encoding="utf-8").splitlines()
    made_up = [line for line in lines if line.strip() and not line.startswith("#")]
    assert len(seed) == 8 and len(made_up) >= 30
    return seed + made_up


@pytest.fixture(scope="module")
def docs(pipeline: TextPipeline) -> list[list[str]]:
    return [pipeline.terms(text) for text in corpus_texts()]


@pytest.fixture(scope="module")
def queries(pipeline: TextPipeline) -> list[list[str]]:
    return [pipeline.terms(q) for q in QUESTIONS] + [
        ["dan", "dan", "dan"],  # only the most common term, three times
        ["khai", "sinh", "khong_co_tu_nay", "khai"],  # an unknown term among known ones
    ]


def doc_freqs(docs: list[list[str]]) -> Counter[str]:
    return Counter(term for doc in docs for term in set(doc))


def test_the_corpus_has_terms_in_more_than_half_of_the_documents(
    docs: list[list[str]], queries: list[list[str]]
) -> None:
    """Otherwise the negative-idf floor, rank-bm25's quirk, would go untested."""
    common = {t for t, df in doc_freqs(docs).items() if df > len(docs) / 2}
    assert "dan" in common
    assert any(common & set(q) for q in queries)
    bm25 = BM25Okapi(docs)
    assert bm25.idf["dan"] == pytest.approx(bm25.epsilon * bm25.average_idf)


def test_scores_equal_rank_bm25_okapi(docs: list[list[str]], queries: list[list[str]]) -> None:
    reference = BM25Okapi(docs)
    index = BM25Index.from_token_lists(docs)
    for query in queries:
        expected = reference.get_scores(query)
        assert expected.max() > 0
        assert np.allclose(index.scores(query), expected, rtol=RTOL, atol=ATOL), query


def test_scores_of_a_few_documents_are_their_full_scores(
    docs: list[list[str]], queries: list[list[str]]
) -> None:
    index = BM25Index.from_token_lists(docs)
    few = np.array([0, 3, 4, len(docs) - 1])
    for query in queries:
        np.testing.assert_array_equal(index.scores_of(query, few), index.scores(query)[few])


def test_the_lookup_table_says_which_documents_each_term_holds(docs: list[list[str]]) -> None:
    index = BM25Index.from_token_lists(docs)
    terms = [t for t in dict.fromkeys(w for d in docs for w in d)][:60]
    # Out of order, first and last documents included: before and past every span's postings.
    targets = np.array([len(docs) - 1, 0, 5, 2, 17], dtype=np.intp)
    at = lookup_table(index.doc_ids, index.spans(terms), targets)
    held = index.doc_ids[at] == targets
    expected = [[t in docs[d] for d in targets] for t in terms]
    assert held.tolist() == expected
    assert held.any() and not held.all()
    assert index.spans(["không-có-từ-này", terms[0]])[0] == slice(0, 0)


@pytest.mark.parametrize("size", [10, 6_400, 6_463, 100_000])
@pytest.mark.parametrize("levels", [3, 1000, 10**9])  # many ties, a few, almost none
def test_top_positions_are_every_score_at_or_above_the_kth(size: int, levels: int) -> None:
    rng = np.random.default_rng(size + levels)
    scores = rng.integers(0, levels, size) * (rng.random(size) < 0.7) / levels
    for k in (1, 20, 50):
        kth = np.sort(scores)[::-1][min(k, size) - 1]
        expected = np.flatnonzero(scores >= kth) if size > k else np.arange(size)
        np.testing.assert_array_equal(np.sort(top_positions(scores, k)), expected)


@pytest.mark.parametrize("size", [0, 1, 2, 7, 300])
def test_sorted_unique_is_numpys_unique(size: int) -> None:
    values = np.random.default_rng(size).integers(0, 40, size)
    np.testing.assert_array_equal(sorted_unique(values), np.unique(values))


def test_repeated_question_words_count_each_time(docs: list[list[str]]) -> None:
    index = BM25Index.from_token_lists(docs)
    once, twice = index.scores(["khai", "sinh"]), index.scores(["khai", "sinh", "khai", "sinh"])
    assert np.allclose(twice, 2 * once, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    "params",
    [BM25Params(1.2, 0.75, 0.25), BM25Params(2.0, 1.0, 0.5), BM25Params(0.9, 0.0, 0.0)],
)
def test_other_parameters_change_scores_like_rank_bm25(
    docs: list[list[str]], queries: list[list[str]], params: BM25Params
) -> None:
    default = BM25Index.from_token_lists(docs)
    tuned = BM25Index(default.postings, params)
    reference = BM25Okapi(docs, k1=params.k1, b=params.b, epsilon=params.epsilon)
    changed = False
    for query in queries:
        expected = reference.get_scores(query)
        assert np.allclose(tuned.scores(query), expected, rtol=RTOL, atol=ATOL), query
        changed |= not np.allclose(default.scores(query), expected, rtol=RTOL, atol=ATOL)
    assert changed, "the parameters must make a difference"


def test_epsilon_alone_changes_only_the_floored_terms(docs: list[list[str]]) -> None:
    default = BM25Index.from_token_lists(docs)
    no_floor = BM25Index(default.postings, BM25Params(epsilon=0.0))
    assert not np.allclose(no_floor.scores(["dan"]), default.scores(["dan"]))
    assert np.allclose(no_floor.scores(["dan"]), 0.0)
    assert np.allclose(no_floor.scores(["khai"]), default.scores(["khai"]))


def test_search_returns_the_argsort_order(docs: list[list[str]], queries: list[list[str]]) -> None:
    index = BM25Index.from_token_lists(docs)
    for query in queries:
        scores = index.scores(query)
        order = np.argsort(-scores, kind="stable")
        for k in (1, 3, 10):
            found = index.search(query, k)
            assert len(found) == min(k, int((scores > 0).sum()))
            got_scores = np.array([s.score for s in found])
            assert np.allclose(got_scores, scores[order[: len(found)]], rtol=RTOL, atol=ATOL)
            assert np.allclose(got_scores, scores[[s.doc for s in found]], rtol=RTOL, atol=ATOL)
            # Ties aside, the very same documents in the very same order.
            top = np.sort(scores)[::-1][: len(found) + 1]
            if len(np.unique(top)) == len(top):
                assert [s.doc for s in found] == order[: len(found)].tolist(), query


def test_search_ties_go_to_the_earlier_document() -> None:
    index = BM25Index.from_token_lists([["x", "a"], ["y"], ["x", "a"], ["x", "a"]])
    assert [s.doc for s in index.search(["x"], 3)] == [0, 2, 3]


@pytest.mark.parametrize("levels", [7, 1000, 10**9])  # many ties, a few, almost none
def test_best_of_many_candidates_is_the_full_sort_ties_by_document(levels: int) -> None:
    rng = np.random.default_rng(levels)
    docs = np.sort(rng.choice(200_000, size=80_000, replace=False))
    scores = rng.integers(1, levels, size=len(docs)) / 7.0
    reference = np.lexsort((docs, -scores))
    for k in (1, 3, 20, 50, 500):
        found = Candidates(docs, scores).best(k)
        assert [d.doc for d in found] == docs[reference[:k]].tolist()
        assert [d.score for d in found] == scores[reference[:k]].tolist()


def test_search_only_returns_documents_sharing_a_term(docs: list[list[str]]) -> None:
    index = BM25Index.from_token_lists(docs)
    found = index.search(["vssid"], 10)
    assert len(found) == 1
    assert "vssid" in docs[found[0].doc]


def test_unknown_terms_find_nothing(docs: list[list[str]]) -> None:
    index = BM25Index.from_token_lists(docs)
    assert index.search(["khong_co_tu_nay", "~xyz"], 5) == []
    assert index.search([], 5) == []
    assert not index.scores(["khong_co_tu_nay"]).any()


def test_non_positive_k_finds_nothing(docs: list[list[str]]) -> None:
    index = BM25Index.from_token_lists(docs)
    assert index.search(["dan"], 0) == []


def test_empty_corpus_and_empty_documents() -> None:
    empty = BM25Index.from_token_lists([])
    assert len(empty) == 0
    assert empty.search(["dan"], 3) == []
    with_blank = [["a", "b"], [], ["b", "c"], ["c"]]
    index = BM25Index.from_token_lists(with_blank)
    expected = BM25Okapi(with_blank).get_scores(["b", "c"])
    assert np.allclose(index.scores(["b", "c"]), expected, rtol=RTOL, atol=ATOL)


def test_postings_round_trip_gives_identical_scores(
    docs: list[list[str]], queries: list[list[str]]
) -> None:
    original = Postings.build(docs)
    passage_ids = np.arange(100, 100 + len(docs), dtype=np.int64)
    restored, extra = Postings.from_bytes(original.to_bytes(passage_ids=passage_ids))
    assert restored.vocabulary == original.vocabulary
    assert np.array_equal(extra["passage_ids"], passage_ids)
    before, after = BM25Index(original), BM25Index(restored)
    for query in queries:
        assert np.array_equal(after.scores(query), before.scores(query))
        assert after.search(query, 5) == before.search(query, 5)


def test_postings_round_trip_of_an_empty_corpus() -> None:
    restored, extra = Postings.from_bytes(Postings.build([]).to_bytes())
    assert restored.vocabulary == [] and extra == {}
    assert BM25Index(restored).search(["a"], 3) == []
