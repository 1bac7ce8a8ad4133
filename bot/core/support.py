"""Which sources an answer cites: the first, its own article's, and others only when they would
answer on their own; the rest go behind "Xem thêm". A "not found" offers only titles that came
close."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import NamedTuple

from bot.core.actions import NO_ACTIONS, AskedActions
from bot.core.answer import SUGGESTED, Answer, Matcher
from bot.core.confidence import Model, Ranked, TermTable, gather
from bot.core.models import Hit
from bot.core.ranking import LoadedIndex, Ranking


class Support(NamedTuple):
    """What a further source is judged by: the ranking's evidence, the model and its threshold."""

    loaded: LoadedIndex
    ranking: Ranking
    table: TermTable
    model: Model
    min_confidence: float
    actions: AskedActions = NO_ACTIONS  # the actions the question asks, to find in each source


def supporting(
    support: Support, matcher: Matcher, answer: Answer
) -> tuple[tuple[Hit, ...], list[int]]:
    """The cited hits, renumbered, and the passage ids of the sources demoted behind "Xem thêm"
    (`matcher`: the question's words, as the answer read them)."""
    if not answer.answered or len(answer.hits) < 2 or support.ranking.ranked is None:
        return answer.hits, []
    passages = support.loaded.text.passages
    first = passages[answer.hits[0].passage_id][0]
    kept, demoted = [answer.hits[0]], []
    for hit in answer.hits[1:]:
        same = passages[hit.passage_id][0] == first
        if same or own_confidence(support, support.ranking.ranked, matcher, hit) >= (
            support.min_confidence
        ):
            kept.append(dataclasses.replace(hit, rank=len(kept) + 1))
        else:
            demoted.append(hit.passage_id)
    return tuple(kept), demoted


def own_confidence(
    support: Support, ranked: Ranked, matcher: Matcher, hit: Hit, actions: bool = True
) -> float:
    """This passage's confidence as it ranks: behind the answer's article (no margin), in the
    same crowd of best scores as the answer (`ranked`); without `actions`, whatever action the
    question asks."""
    loaded, ranking = support.loaded, support.ranking
    coverage = matcher.coverage(f"{hit.citation.title} {hit.text}")
    article = loaded.text.passages[hit.passage_id][0]
    chosen = [loaded.text.passages[pid][0] for pid, _ in ranking.chosen]
    share = chosen.count(article) / len(chosen)
    # The best score cited, not the first: the kind of question may have put a lower one first.
    best = max(score for _, score in ranking.chosen)
    doc = ranking.docs[hit.passage_id]
    behind = ranked._replace(
        top_doc=doc, top_score=hit.score, next_article_score=best, same_article_share=share
    )
    missing = support.actions.missing(loaded.ranker.places(doc)) if actions else 0.0
    evidence = gather(support.table, behind, coverage, missing)
    return support.model.confidence(evidence, len(loaded.index))


def offered(support: Support, matcher: Matcher, answer: Answer, floor: float) -> tuple[str, ...]:
    """The nearest titles a "not found" offers: the leading ones (buttons are numbered by
    `suggestions`) while their own confidence reaches `floor`."""
    titles: list[str] = []
    for title, confidence in nearest(support, matcher, answer):
        if confidence < floor:
            break
        titles.append(title)
        if len(titles) == SUGGESTED:
            break
    return tuple(titles)


def nearest(support: Support, matcher: Matcher, answer: Answer) -> Iterator[tuple[str, float]]:
    """A "not found"'s distinct titles, nearest first, each with its best passage's own
    confidence, judged only as far as they are read. A title that lacks the action asked is
    still near: "Cấp đổi giấy phép lái xe" is what to offer for "giấy phép lái xe bị mất"."""
    ranked = support.ranking.ranked
    if answer.answered or not answer.hits or ranked is None or answer.evidence is None:
        return
    seen = {answer.hits[0].citation.title}
    evidence = answer.evidence._replace(actions_missing=0.0)
    yield (
        answer.hits[0].citation.title,
        support.model.confidence(evidence, len(support.loaded.index)),
    )
    for hit in answer.hits[1:]:
        if hit.citation.title not in seen:
            seen.add(hit.citation.title)
            yield hit.citation.title, own_confidence(support, ranked, matcher, hit, False)
