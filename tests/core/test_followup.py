"""Follow-up questions: what the context adds, how it is said, and when it is used."""

from __future__ import annotations

from bot.core.followup import Context, follow_up, is_short, refers_back, use_context
from bot.core.text import TextPipeline

PIPELINE = TextPipeline()


def test_the_earlier_questions_missing_words_follow_the_new_ones() -> None:
    found = follow_up(PIPELINE, "còn lệ phí thì sao", Context("làm thẻ căn cước ở đâu"))
    assert found is not None
    assert "thẻ" in found.words and "căn" in found.words and "cước" in found.words
    assert "lệ" not in found.words  # the follow-up's own words are not repeated


def test_the_line_says_the_topic_and_what_was_asked_now() -> None:
    context = Context("làm thẻ căn cước ở đâu", topic="Cấp thẻ căn cước")
    found = follow_up(PIPELINE, "còn lệ phí thì sao?", context)
    assert found is not None and found.understood.startswith("Về: Cấp thẻ căn cước — ")
    assert "lệ phí" in found.understood


def test_nothing_to_add_is_no_follow_up() -> None:
    assert follow_up(PIPELINE, "lệ phí thẻ căn cước", Context("thẻ căn cước lệ phí")) is None


def test_openings_and_endings_that_refer_back() -> None:
    assert refers_back("Còn lệ phí thì sao?")
    assert refers_back("the tre em duoi 14 tuoi thi sao")
    assert refers_back("vậy làm ở đâu")
    assert not refers_back("làm hộ chiếu ở đâu")
    assert not refers_back("lệ phí cấp hộ chiếu")


def test_short_messages_cannot_stand_on_their_own() -> None:
    assert is_short(PIPELINE, "nộp ở đâu")
    assert not is_short(PIPELINE, "người thuê trọ có đăng ký tạm trú tại nhà thuê được không")


def test_the_context_is_used_only_when_it_is_answered_and_needed() -> None:
    assert use_context(0.2, 0.7, cannot_stand=False, min_confidence=0.4)  # alone: not found
    assert use_context(0.6, 0.7, cannot_stand=True, min_confidence=0.4)  # "nộp ở đâu?"
    assert not use_context(0.6, 0.9, cannot_stand=False, min_confidence=0.4)  # a new question
    assert not use_context(0.2, 0.3, cannot_stand=True, min_confidence=0.4)  # no help either
