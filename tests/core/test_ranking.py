"""Ranking passages for an answer: two an article at most, the rest behind "Xem thêm", and the
scores around the top that the confidence reads."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from bot.core.index import BM25Index, ScoredDoc
from bot.core.models import Citation, CorpusText
from bot.core.question_kinds import Steering
from bot.core.ranking import LoadedIndex, PassageRanking, _near_ties, hits_of, loaded_index
from bot.core.text import TextPipeline

# Made-up paragraphs: article 1 has three passages on the card, article 2 one, article 3 another.
PASSAGES = [
    (1, "Thẻ căn cước cấp lại khi bị mất, nộp hồ sơ tại công an xã."),
    (1, "Lệ phí cấp lại thẻ căn cước là 70.000 đồng."),
    (1, "Thẻ căn cước được trả sau bảy ngày làm việc."),
    (2, "Cấp lại thẻ căn cước qua ứng dụng VNeID."),
    (3, "Đăng ký khai sinh cho trẻ tại ủy ban nhân dân xã."),
]


def knowledge(pipeline: TextPipeline) -> LoadedIndex:
    index = BM25Index.from_token_lists([pipeline.terms(text) for _, text in PASSAGES])
    ids = {
        "passage_ids": np.arange(100, 100 + len(PASSAGES), dtype=np.int64),
        "article_ids": np.array([a for a, _ in PASSAGES], dtype=np.int64),
    }
    texts = {100 + i: entry for i, entry in enumerate(PASSAGES)}
    citations = {a: Citation(f"Bài {a}", None, None, None, f"bai-{a}.md") for a in (1, 2, 3)}
    return loaded_index(index, ids, CorpusText(texts, citations, {}), "v1", 0.5)


def test_at_most_two_passages_an_article_and_the_rest_behind_more(pipeline: TextPipeline) -> None:
    loaded = knowledge(pipeline)
    ranking = PassageRanking(pipeline, None, Steering()).rank(loaded, "cấp lại thẻ căn cước", 3, 5)
    articles = [loaded.text.passages[pid][0] for pid, _ in ranking.chosen]
    assert len(ranking.chosen) == 3 and articles.count(1) == 2 and 2 in articles
    assert set(ranking.further).isdisjoint(pid for pid, _ in ranking.chosen)
    assert 100 + 2 in ranking.further  # article 1's third passage waits behind "Xem thêm"


def test_the_ranking_tells_the_confidence_who_is_close_behind(pipeline: TextPipeline) -> None:
    loaded = knowledge(pipeline)
    ranking = PassageRanking(pipeline, None, Steering()).rank(loaded, "cấp lại thẻ căn cước", 3, 0)
    ranked = ranking.ranked
    assert ranked is not None and ranked.top_score == ranking.chosen[0][1]
    assert ranked.next_article_score is not None and ranked.next_article_score < ranked.top_score
    assert sorted(ranked.best_scores, reverse=True)[0] == ranked.top_score


def test_a_question_sharing_no_word_ranks_nothing(pipeline: TextPipeline) -> None:
    loaded = knowledge(pipeline)
    ranking = PassageRanking(pipeline, None, Steering()).rank(loaded, "bánh flan", 3, 2)
    assert ranking.chosen == [] and ranking.ranked is None


def test_hits_skip_passages_no_longer_in_the_corpus(pipeline: TextPipeline) -> None:
    hits = hits_of(knowledge(pipeline), [(999, 1.0), (101, 0.5)])
    # An ingest removed passage 999 since it was ranked; the others keep their places.
    assert [(h.rank, h.passage_id, h.citation.title) for h in hits] == [(2, 101, "Bài 1")]


def test_near_ties_are_other_articles_within_a_tenth_of_the_top() -> None:
    # Passages 0-5 of articles 7, 7, 8, 9, 9, 10; article 10 is 15% behind: not a near tie.
    loaded = cast(Any, SimpleNamespace(article_ids=np.array([7, 7, 8, 9, 9, 10])))
    found = [ScoredDoc(d, s) for d, s in enumerate([10.0, 9.95, 9.5, 9.2, 9.1, 8.5])]
    assert _near_ties(loaded, found, 10.0) == 2
    assert _near_ties(loaded, found[:2], 10.0) == 0  # the top article's own passages do not count
