"""Whole-article scores added to passages: an answer spread over passages is found as a whole."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.articles import ArticleRanker, merged_postings
from bot.core.index import BM25Index, BM25Params, Candidates, Postings
from bot.core.text import TextPipeline
from tests.helpers.spread_answer import ARTICLES, QUESTION

NAMES = list(ARTICLES)
# Database ids are neither dense nor starting at 0.
ARTICLE_IDS = np.array([7 * NAMES.index(n) + 3 for n in NAMES for _ in ARTICLES[n]])


@pytest.fixture(scope="module")
def lists(pipeline: TextPipeline) -> list[list[str]]:
    return [pipeline.terms(text) for name in NAMES for text in ARTICLES[name]]


@pytest.fixture(scope="module")
def index(lists: list[list[str]]) -> BM25Index:
    return BM25Index(Postings.build(lists), BM25Params(0.5, 0.75))


def ranked_articles(ranker: ArticleRanker, pipeline: TextPipeline) -> list[str]:
    """Article names in the order of their best passage."""
    found = ranker.search(pipeline.terms(QUESTION), len(ranker))
    return list(dict.fromkeys(NAMES[(int(ARTICLE_IDS[d]) - 3) // 7] for d, _ in found))


def test_an_answer_spread_over_passages_outranks_one_passage_sharing_common_words(
    index: BM25Index, pipeline: TextPipeline
) -> None:
    passages_alone = ranked_articles(ArticleRanker(index, ARTICLE_IDS, 0.0), pipeline)
    with_articles = ranked_articles(ArticleRanker(index, ARTICLE_IDS, 0.5), pipeline)
    assert passages_alone[:2] == ["one", "spread"]
    assert with_articles[:2] == ["spread", "one"]


def test_weight_zero_scores_are_the_plain_bm25_passage_scores(
    index: BM25Index, pipeline: TextPipeline
) -> None:
    terms = pipeline.terms(QUESTION)
    found = ArticleRanker(index, ARTICLE_IDS, 0.0).candidates(terms)
    np.testing.assert_array_equal(found.scores, index.scores(terms)[found.docs])


def test_the_order_of_passages_inside_an_article_is_kept(
    index: BM25Index, pipeline: TextPipeline
) -> None:
    terms = pipeline.terms(QUESTION)
    plain = index.scores(terms)
    found = ArticleRanker(index, ARTICLE_IDS, 0.5).candidates(terms)
    for article in set(ARTICLE_IDS.tolist()):
        mine = ARTICLE_IDS[found.docs] == article
        order = np.argsort(-found.scores[mine], kind="stable")
        assert list(order) == list(np.argsort(-plain[found.docs][mine], kind="stable"))


def test_merged_postings_count_each_article_as_one_document(lists: list[list[str]]) -> None:
    whole: dict[int, list[str]] = {}
    for article, terms in zip(ARTICLE_IDS.tolist(), lists):
        whole.setdefault(article, []).extend(terms)
    expected = BM25Index(Postings.build(whole.values()))
    _, dense = np.unique(ARTICLE_IDS, return_inverse=True)
    merged = BM25Index(merged_postings(Postings.build(lists), dense))
    for terms in lists:
        np.testing.assert_allclose(merged.scores(terms), expected.scores(terms), rtol=1e-12)


def test_articles_out_of_order_are_merged_alike(lists: list[list[str]]) -> None:
    """A re-ingested article's passages come last; its postings must still merge."""
    order = np.r_[np.arange(2, len(lists)), [0, 1]]
    _, dense = np.unique(ARTICLE_IDS[order], return_inverse=True)
    shuffled = merged_postings(Postings.build([lists[i] for i in order]), dense)
    _, dense = np.unique(ARTICLE_IDS, return_inverse=True)
    straight = merged_postings(Postings.build(lists), dense)
    query = lists[0] + lists[5]
    np.testing.assert_allclose(
        BM25Index(shuffled).scores(query), BM25Index(straight).scores(query), rtol=1e-12
    )


def test_past_the_best_passages_the_top_is_the_full_blend(pipeline: TextPipeline) -> None:
    """Only the best passages' articles are looked up; the top stays what scoring all gives."""
    sentences = [text for name in NAMES for text in ARTICLES[name]]
    texts = [f"{a} {b}" for a in sentences for b in sentences]  # 169 passages, 13 a article
    lists = [pipeline.terms(text) for text in texts]
    article_ids = np.arange(len(texts)) // len(sentences)
    index = BM25Index(Postings.build(lists), BM25Params(0.5, 0.75))
    ranker = ArticleRanker(index, article_ids, 0.5)
    terms = pipeline.terms(QUESTION)
    assert len(index.candidates(terms).docs) > 50
    whole = BM25Index(merged_postings(index.postings, article_ids), index.params).scores(terms)
    full = index.scores(terms) + 0.5 * whole[article_ids]
    expected = sorted(range(len(texts)), key=lambda d: (-full[d], d))[:10]
    assert [d for d, _ in ranker.search(terms, 10)] == expected


def blended_corpus(pipeline: TextPipeline, others: int = 260) -> tuple[BM25Index, np.ndarray]:
    sentences = [text for name in NAMES for text in ARTICLES[name]]
    texts = [f"{a} {b}" for a in sentences for b in sentences]  # 169 passages, 2 an article
    # Articles on other things keep every word's idf positive, as in any real knowledge base.
    texts += [f"lịch tiếp công dân tháng {i} của ủy ban phường" for i in range(others)]
    index = BM25Index(Postings.build(pipeline.terms(t) for t in texts), BM25Params(0.5, 0.75))
    return index, np.arange(len(texts)) // 2


def best_elsewhere(found: Candidates, article_of: np.ndarray, article: int) -> float:
    return float(found.scores[article_of[found.docs] != article].max())


@pytest.mark.parametrize("k", [1, 10, 32, 60, 120])
def test_the_shortlist_for_k_gives_the_full_blends_best_k_and_runner_up(
    pipeline: TextPipeline, k: int
) -> None:
    """Scoring only what can reach the top changes neither the top nor another article's best."""
    index, article_of = blended_corpus(pipeline)
    ranker = ArticleRanker(index, article_of, 0.5)
    terms = pipeline.terms(QUESTION)
    full, short = ranker.candidates(terms), ranker.candidates(terms, k)
    assert len(short.docs) < len(full.docs)
    assert short.best(k) == full.best(k)
    top = int(article_of[full.best(1)[0].doc])
    assert best_elsewhere(short, article_of, top) == best_elsewhere(full, article_of, top)


def test_when_one_article_holds_all_the_best_another_articles_best_is_still_there(
    pipeline: TextPipeline,
) -> None:
    texts = [f"hộ chiếu phổ thông cấp lần {i} tại phòng quản lý xuất nhập cảnh" for i in range(80)]
    texts += [f"hộ chiếu công vụ đổi lần {i} tại bộ ngoại giao" for i in range(80)]
    texts += [f"lịch tiếp công dân tháng {i} của ủy ban phường" for i in range(320)]
    index = BM25Index(Postings.build(pipeline.terms(t) for t in texts))
    article_of = np.arange(len(texts)) // 80  # six articles of 80 passages
    ranker = ArticleRanker(index, article_of, 0.5)
    terms = pipeline.terms("cấp hộ chiếu phổ thông ở đâu")
    short, full = ranker.candidates(terms, 20), ranker.candidates(terms)
    assert {int(article_of[d]) for d, _ in short.best(20)} == {0}
    assert best_elsewhere(short, article_of, 0) == best_elsewhere(full, article_of, 0)
