"""The confidence model and its off-topic gate."""

from __future__ import annotations

from bot.core.confidence import CONFIDENCE_MODEL, Evidence, OffTopicGate

# A question whose words and pairs the top passage holds, against another article close behind.
ON_TOPIC = Evidence(0.9, 0.8, 0.6, 0.0, 0.1, 0.6, 0.5, 0.7)
# Most word pairs occur nowhere in the knowledge base and the top passage shares one common word,
# far ahead of the rest ("bánh flan" against law articles): a strong margin means nothing here.
OFF_TOPIC = Evidence(0.5, 0.6, 0.1, 0.0, 0.8, 0.2, 0.9, 0.7)


BIG, SMALL = 20_000, 40  # passages: a city's whole site, and its first few articles


def test_in_a_small_knowledge_base_unseen_pairs_do_not_close_a_question() -> None:
    # With a few articles, "mất bao lâu" is an unseen pair of any question about them.
    assert not OffTopicGate().closes(OFF_TOPIC, SMALL)
    assert CONFIDENCE_MODEL.confidence(OFF_TOPIC, SMALL) > 0.4


def test_a_well_covered_question_is_confident() -> None:
    assert CONFIDENCE_MODEL.confidence(ON_TOPIC, BIG) > 0.7


def test_the_gate_keeps_an_off_topic_question_below_any_threshold() -> None:
    assert OffTopicGate().closes(OFF_TOPIC, BIG) and not OffTopicGate().closes(ON_TOPIC, BIG)
    assert CONFIDENCE_MODEL._replace(gate=None).confidence(OFF_TOPIC, BIG) > 0.4
    assert CONFIDENCE_MODEL.confidence(OFF_TOPIC, BIG) <= OffTopicGate().cap


def test_unknown_pairs_alone_do_not_close_a_question_the_passage_covers() -> None:
    # A question with typos or names the knowledge base lacks, whose other phrases are there.
    covered = ON_TOPIC._replace(unknown_bigrams=0.8, bigram_cover=0.5)
    ungated = CONFIDENCE_MODEL._replace(gate=None)
    assert not OffTopicGate().closes(covered, BIG)
    assert CONFIDENCE_MODEL.confidence(covered, BIG) == ungated.confidence(covered, BIG)
