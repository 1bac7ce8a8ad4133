"""A long message is read sentence by sentence: a story, then the question."""

from __future__ import annotations

from bot.core.answer import Question
from bot.core.question_kinds import QuestionKind, Reading
from bot.core.sentences import question_parts
from bot.core.spelling import Correction


def test_a_story_then_a_question_is_two_parts_without_the_greeting() -> None:
    question = Question("Chào anh chị. nhà em ở Lê Chân, em mất căn cước: vậy làm lại ở đâu ạ?")
    assert question.parts == ["nhà em ở Lê Chân, em mất căn cước:", "vậy làm lại ở đâu"]


def test_lower_case_and_semicolons_still_part_a_message() -> None:
    parts = question_parts("con tôi 15 tuổi; cháu chưa có căn cước. vậy có phải làm không?")
    assert parts == ["con tôi 15 tuổi;", "cháu chưa có căn cước.", "vậy có phải làm không?"]


def test_one_sentence_and_one_word_leftovers_make_no_parts() -> None:
    assert question_parts("Làm lại căn cước ở đâu?") == []
    assert question_parts("Hỏi: làm lại căn cước ở đâu?") == []  # "Hỏi:" is no sentence


def test_the_parts_read_slips_as_the_search_does() -> None:
    question = Question("Em mất thẻ. Làm lại thẻ căn cuoc ở đâu?")
    fixed = Question(question.text, spelling=(Correction("cuoc", "cước"),))
    assert question.parts[1] == "Làm lại thẻ căn cuoc ở đâu?"
    assert fixed.parts[1] == "Làm lại thẻ căn cước ở đâu?"


def test_reading_what_a_question_asks_keeps_its_parts_and_searches_the_reading() -> None:
    question = Question("Chào anh chị. nhà em ở Lê Chân, em mất căn cước: vậy làm lại ở đâu ạ?")
    before = question.searched
    read = question.reading(Reading((QuestionKind.PLACE,), "nhà em ở Lê Chân em mất căn cước"))
    assert read.searched == "nhà em ở Lê Chân em mất căn cước" != before
    assert (
        read.parts == question.parts == ["nhà em ở Lê Chân, em mất căn cước:", "vậy làm lại ở đâu"]
    )
