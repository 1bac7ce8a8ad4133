"""Dev-set questions retyped the way citizens type on phones."""

from __future__ import annotations

from bot.core.text import TextPipeline, fold
from bot.evaluation.styles import ChatStyle, Style, rewriter


def test_written_and_folded_questions() -> None:
    pipeline = TextPipeline()
    assert rewriter(Style.WRITTEN, pipeline)("Hộ chiếu") == "Hộ chiếu"
    assert rewriter(Style.FOLDED, pipeline)("Hộ chiếu") == "Ho chieu"


def test_chat_style_drops_accents_and_uses_shorthand() -> None:
    chat = ChatStyle(TextPipeline())
    typed = chat("Thủ tục đăng ký kết hôn như thế nào? Có được làm online không?")
    assert typed.lower() == "thu tuc dky ket hon ntn? co dc lam online ko?"


def test_chat_style_matches_accented_words_so_meanings_stay_apart() -> None:
    chat = ChatStyle(TextPipeline())
    # "vay" (a loan) is not "vậy", "đăng" is not "đang": only the accented word takes the form.
    assert chat("Vay vốn vậy được không").lower() == "vay von zay dc ko"
    assert chat("đang đăng tin").lower() == "dag dang tin"


def test_chat_style_reads_back_as_the_same_words() -> None:
    pipeline, chat = TextPipeline(), ChatStyle(TextPipeline())
    question = "Người nước ngoài có được đăng ký thường trú không, thời gian bao lâu?"
    assert pipeline.folded_words(chat(question)) == pipeline.folded_words(fold(question))


def test_a_stable_quarter_of_questions_is_typed_in_capitals() -> None:
    chat = ChatStyle(TextPipeline())
    questions = [f"Câu hỏi số {n} về hộ chiếu" for n in range(400)]
    shouted = [q for q in questions if chat(q).isupper()]
    assert 60 < len(shouted) < 140
    assert shouted == [q for q in questions if chat(q).isupper()]
