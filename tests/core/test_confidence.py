"""The confidence model and its off-topic gate."""

from __future__ import annotations

import numpy as np

from bot.core.confidence import (
    CONFIDENCE_MODEL,
    NEUTRAL_NEAR_TIES,
    NEUTRAL_SPREAD,
    OFF_TOPIC_GATE,
    PRIOR_PASSAGES,
    SMALL_OFF_TOPIC_GATE,
    SPREAD_PASSAGES,
    Evidence,
    OffTopicGate,
    Ranked,
    TermTable,
    gather,
    spread,
)
from bot.core.index import BM25Index

# A question whose words and pairs the top passage holds, against another article close behind.
ON_TOPIC = Evidence(0.9, 0.8, 0.6, 0.0, 0.1, 0.6, 0.5, 0.7, 0.4, 0.2)
# Most word pairs occur nowhere in the knowledge base and the top passage shares one common word,
# far ahead of the rest ("bánh flan" against law articles): a strong margin means nothing here.
OFF_TOPIC = Evidence(0.5, 0.6, 0.1, 0.0, 0.8, 0.2, 0.9, 0.7, 0.5, 0.0)


# Passages: a city's whole site, its first fifty articles, and its first few.
BIG, SMALL, TINY = 20_000, 300, 40


def test_in_a_small_knowledge_base_unseen_pairs_alone_do_not_close_a_question() -> None:
    # With a few articles, "mất bao lâu" is an unseen pair of any question about them: half of
    # the pairs unseen, a fifth of them in the passage, is an ordinary in-domain question there.
    in_domain = OFF_TOPIC._replace(bigram_cover=0.25, unknown_bigrams=0.55)
    for gate in (OFF_TOPIC_GATE, SMALL_OFF_TOPIC_GATE):
        assert not gate.closes(in_domain, SMALL) and not gate.closes(in_domain, TINY)
    assert OFF_TOPIC_GATE.closes(in_domain, BIG)
    assert CONFIDENCE_MODEL.confidence(in_domain, SMALL) > 0.4


def test_in_a_small_knowledge_base_a_question_of_unseen_pairs_is_closed() -> None:
    # "cach cai zalo tren may tinh" against fifty articles: nearly every pair unseen, the top
    # passage holding one common word; the margin of a lone match must not make it an answer.
    assert not OFF_TOPIC_GATE.closes(OFF_TOPIC, SMALL)
    assert SMALL_OFF_TOPIC_GATE.closes(OFF_TOPIC, SMALL)
    assert not SMALL_OFF_TOPIC_GATE.closes(OFF_TOPIC, BIG)  # there the usual gate decides
    ungated = CONFIDENCE_MODEL._replace(gates=())
    assert ungated.confidence(OFF_TOPIC, SMALL) > 0.4
    assert CONFIDENCE_MODEL.confidence(OFF_TOPIC, SMALL) <= SMALL_OFF_TOPIC_GATE.cap


def test_in_a_few_articles_no_gate_reads_unseen_pairs() -> None:
    # In six passages a chatty in-domain question ("hồ sơ khai sinh cho con gồm những gì vậy")
    # has as many unseen pairs as an off-topic one: the model decides alone.
    ungated = CONFIDENCE_MODEL._replace(gates=())
    assert CONFIDENCE_MODEL.confidence(OFF_TOPIC, TINY) == ungated.confidence(OFF_TOPIC, TINY)


def test_a_well_covered_question_is_confident() -> None:
    assert CONFIDENCE_MODEL.confidence(ON_TOPIC, BIG) > 0.7


def test_the_gate_keeps_an_off_topic_question_below_any_threshold() -> None:
    assert OffTopicGate().closes(OFF_TOPIC, BIG) and not OffTopicGate().closes(ON_TOPIC, BIG)
    assert CONFIDENCE_MODEL._replace(gates=()).confidence(OFF_TOPIC, BIG) > 0.4
    assert CONFIDENCE_MODEL.confidence(OFF_TOPIC, BIG) <= OffTopicGate().cap


def test_unknown_pairs_alone_do_not_close_a_question_the_passage_covers() -> None:
    # A question with typos or names the knowledge base lacks, whose other phrases are there.
    covered = ON_TOPIC._replace(unknown_bigrams=0.8, bigram_cover=0.5)
    ungated = CONFIDENCE_MODEL._replace(gates=())
    assert not OffTopicGate().closes(covered, BIG)
    assert CONFIDENCE_MODEL.confidence(covered, BIG) == ungated.confidence(covered, BIG)


def test_a_top_score_in_a_crowd_of_near_equals_is_less_sure() -> None:
    # Near-duplicate answers: the exact one missing, a sibling tops a crowd of close scores.
    crowd = spread(10.0, [10.0, 9.8, 9.7] + [9.5] * 30)
    alone = spread(10.0, [10.0, 4.0, 3.0] + [2.0] * 30)
    assert 0.0 <= crowd < 0.1 < alone < 1.0
    assert CONFIDENCE_MODEL.confidence(ON_TOPIC._replace(spread=crowd), BIG) < (
        CONFIDENCE_MODEL.confidence(ON_TOPIC._replace(spread=alone), BIG)
    )


def test_passages_the_question_does_not_match_count_as_zero_in_the_spread() -> None:
    # In a small knowledge base a lone match stands out; nothing matched says nothing.
    assert spread(8.0, [8.0]) == (8.0 - 8.0 / SPREAD_PASSAGES) / 8.0
    assert spread(0.0, []) == 0.0


def test_the_spread_reads_the_best_scores_the_ranking_gave() -> None:
    index = BM25Index.from_token_lists([["a", "b", "c"], ["a", "d"], *[["e"]] * PRIOR_PASSAGES])
    evidence = gather(TermTable(index, ["a", "b"], [0]), Ranked(0, 4.0, 2.0, 1.0, [4.0, 2.0]), 1.0)
    assert evidence.spread == spread(4.0, [4.0, 2.0]) == (4.0 - 6.0 / SPREAD_PASSAGES) / 4.0


def test_the_term_table_reads_the_rankings_lookup_as_it_reads_the_terms() -> None:
    index = BM25Index.from_token_lists([["a", "b", "c"], ["a", "d"], *[["e"]] * PRIOR_PASSAGES])
    terms = ["d", "a", "unknown", "a", "b_c"]
    by_terms, by_known = (
        TermTable(index, terms, [1, 0]),
        TermTable(index, index.known(terms), [1, 0]),
    )
    assert (
        by_known.present.tolist()
        == by_terms.present.tolist()
        == [[True, False], [True, True], [False, False], [False, False]]
    )
    assert by_known.unknown.tolist() == [False, False, True, True]
    np.testing.assert_array_equal(by_known.rarity, by_terms.rarity)


def test_below_the_rarity_prior_the_spread_says_nothing() -> None:
    index = BM25Index.from_token_lists([["a", "b", "c"], ["a", "d"], ["e", "f"], ["g"]])
    evidence = gather(TermTable(index, ["a", "b"], [0]), Ranked(0, 2.0, 1.0, 1.0, [2.0]), 1.0)
    assert (evidence.spread, evidence.near_ties) == (NEUTRAL_SPREAD, NEUTRAL_NEAR_TIES)


def test_alone_in_the_race_the_spread_says_nothing() -> None:
    index = BM25Index.from_token_lists([["a", "b", "c"], ["a", "d"], *[["e"]] * PRIOR_PASSAGES])
    table = TermTable(index, ["a", "b"], [0])
    alone = gather(table, Ranked(0, 2.0, None, 1.0, [2.0]), 1.0)
    assert (alone.spread, alone.near_ties) == (NEUTRAL_SPREAD, NEUTRAL_NEAR_TIES)


def test_other_articles_close_behind_make_it_less_sure() -> None:
    # Siblings of a missing answer: several articles within a tenth of the top score.
    alone, crowded = ON_TOPIC._replace(near_ties=0.0), ON_TOPIC._replace(near_ties=0.8)
    assert CONFIDENCE_MODEL.confidence(crowded, BIG) < CONFIDENCE_MODEL.confidence(alone, BIG)


def test_near_ties_count_up_to_five() -> None:
    index = BM25Index.from_token_lists([["a", "b"], ["a"], *[["e"]] * PRIOR_PASSAGES])
    table = TermTable(index, ["a", "b"], [0])
    for ties, share in ((0, 0.0), (2, 0.4), (5, 1.0), (9, 1.0)):
        ranked = Ranked(0, 4.0, 3.9, 1.0, [4.0, 3.9], ties)
        assert gather(table, ranked, 1.0).near_ties == share


def test_a_story_then_a_question_is_covered_by_its_best_sentence() -> None:
    # The passage answers the question sentence; the story's words are elsewhere or nowhere.
    story = ["x1", "x2", "x3", "x4", "x5", "x6"]
    asked = ["a", "b", "c", "a_b", "b_c"]
    passages = [asked, ["x1", "x2"], *[["e"]] * PRIOR_PASSAGES]
    index = BM25Index.from_token_lists(passages)
    whole = TermTable(index, story + asked, [0])
    by_parts = TermTable(index, story + asked, [0], parts=[story, asked])
    ranked = Ranked(0, 4.0, 1.0, 1.0, [4.0, 1.0])
    assert gather(whole, ranked, 1.0).term_cover < 0.5
    assert gather(by_parts, ranked, 1.0).term_cover == 1.0


def test_a_sentence_of_too_few_syllables_does_not_speak_for_the_question() -> None:
    # "Vậy thì sao?" says nothing on its own; skip pairs and accented forms are no syllables.
    index = BM25Index.from_token_lists([["a", "b"], ["c", "d"], *[["e"]] * PRIOR_PASSAGES])
    terms = ["a", "c", "d", "f", "+a_f", "~a"]
    table = TermTable(index, terms, [0], parts=[["a", "c", "+a_f", "~a"], ["c", "d", "f"]])
    assert [mask.tolist() for mask in table.parts] == [[False, True, True, True, False, False]]


def test_the_words_of_a_story_found_nowhere_do_not_count_against_its_question() -> None:
    # Names and details of the story ("Kiến An", "ba năm") the articles never mention.
    story, asked = ["x1", "x2", "x3", "x1_x2", "x2_x3"], ["a", "b", "c", "a_b", "b_c"]
    index = BM25Index.from_token_lists([asked, ["a", "d"], *[["e"]] * PRIOR_PASSAGES])
    ranked = Ranked(0, 4.0, 1.0, 1.0, [4.0, 1.0])
    whole = gather(TermTable(index, story + asked, [0]), ranked, 1.0)
    by_parts = gather(TermTable(index, story + asked, [0], parts=[story, asked]), ranked, 1.0)
    assert whole.unknown_unigrams > 0.4 and whole.unknown_bigrams == 0.5
    assert by_parts.unknown_unigrams == by_parts.unknown_bigrams == 0.0
    assert CONFIDENCE_MODEL.confidence(by_parts, BIG) > CONFIDENCE_MODEL.confidence(whole, BIG)


def test_an_answer_missing_the_action_asked_is_less_sure_at_any_size() -> None:
    """ "giấy phép lái xe bị mất" answered from the article on renewing it: the same words held,
    the action not; below the rarity prior the sibling gate takes it under any threshold."""
    sibling = ON_TOPIC._replace(actions_missing=1.0)
    for passages in (BIG, SMALL):
        assert CONFIDENCE_MODEL.confidence(sibling, passages) < (
            CONFIDENCE_MODEL.confidence(ON_TOPIC, passages) - 0.1
        )
    assert (
        CONFIDENCE_MODEL.confidence(sibling, SMALL)
        <= 0.3
        < CONFIDENCE_MODEL.confidence(ON_TOPIC._replace(actions_missing=0.5), SMALL)
    )
