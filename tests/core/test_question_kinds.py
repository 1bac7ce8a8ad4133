"""What a question asks for, and which sentences give it (bot/core/question_kinds.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bot.core.answer import Matcher, summarize
from bot.core.index import ScoredDoc
from bot.core.question_kinds import (
    KindReader,
    QuestionKind,
    Steering,
    near_ties_first,
    parse_table,
    ranking_kinds,
    same_words,
)
from bot.core.text import TextPipeline, fold_text
from tests.helpers.kinds_set import load_cases

K = QuestionKind


@pytest.fixture(scope="module")
def reader() -> KindReader:
    return KindReader(TextPipeline())


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("hộ chiếu làm ở đâu", (K.PLACE,)),
        ("HO CHIEU LAM O DAU", (K.PLACE,)),
        ("lam ho chieu het bao nhieu tien", (K.AMOUNT,)),
        ("le phi bn tien", (K.AMOUNT,)),  # "bn" alone is not spelled out; "bn tiền" is a cue
        ("hộ chiếu bao lâu thì có", (K.DURATION,)),
        ("làm căn cước mất mấy ngày", (K.DURATION,)),  # not "mất …" an amount
        ("Đăng ký tạm trú cần giấy tờ gì?", (K.DOCUMENTS,)),
        ("ai ký giấy khai sinh", (K.WHO,)),
        ("lam can cuoc ntn", (K.STEPS,)),  # chat shorthand spelled out first
        ("trẻ em có phải làm căn cước không", (K.YESNO,)),
        ("thue tro dang ky tam tru dc ko", (K.YESNO,)),
        ("làm hộ chiếu ở đâu, hết bao nhiêu tiền", (K.PLACE, K.AMOUNT)),
        ("chính quyền số", ()),
        ("đất phi nông nghiệp", ()),  # typed with accents: "phi" is not "phí"
    ],
)
def test_the_kind_of_question_is_read_in_every_spelling(
    reader: KindReader, question: str, kinds: tuple[QuestionKind, ...]
) -> None:
    assert reader.kinds(question) == kinds


def test_every_question_of_the_set_is_read_as_its_kind(reader: KindReader) -> None:
    wrong = [c for c in load_cases() if c.kind not in {k.value for k in reader.kinds(c.question)}]
    assert wrong == []


def test_skipping_cues_without_their_word_finds_what_scanning_every_cue_finds(
    reader: KindReader,
) -> None:
    every = KindReader(reader.pipeline)
    every.table = dataclasses.replace(
        every.table, cues=tuple(p._replace(word="", word_folded="") for p in every.table.cues)
    )
    questions = [c.question for c in load_cases()]
    questions += [fold_text(q).upper() for q in questions]
    assert len(questions) >= 120
    assert [reader.read(q) for q in questions] == [every.read(q) for q in questions]


def test_a_cue_opening_with_a_number_or_a_gap_needs_its_first_word() -> None:
    table = parse_table(["duration\tcue\t# ngày làm việc", "yesno\task\tcó … không"])
    assert [(p.word, p.word_folded) for p in table.cues] == [("ngày", "ngay"), ("có", "co")]
    reader = KindReader(TextPipeline(), table)
    assert reader.kinds("mất 15 ngày làm việc") == (K.DURATION,)
    assert reader.kinds("TRE EM CO PHAI LAM CAN CUOC KHONG") == (K.YESNO,)
    assert reader.kinds("mất mấy hôm") == ()


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("hộ chiếu làm ở đâu", "hộ chiếu làm"),
        ("bao lâu thì có hộ chiếu", "hộ chiếu"),
        ("lam can cuoc ntn", "lam can cuoc"),
        ("lệ phí làm hộ chiếu", "lệ phí làm hộ chiếu"),  # a topic word is searched
        ("ở đâu", "ở đâu"),  # nothing else to search: the question as it is
    ],
)
def test_the_search_does_not_read_the_words_that_only_ask(
    reader: KindReader, question: str, searched: str
) -> None:
    assert reader.read(question).searched == searched


FEE = "Lệ phí cấp hộ chiếu lần đầu là 200.000 đồng một cuốn."
PLACE = "Công dân nộp hồ sơ cấp hộ chiếu tại phòng quản lý xuất nhập cảnh công an cấp tỉnh."
TIME = "Hộ chiếu được trả trong thời hạn tám ngày làm việc."


def test_a_sentence_carries_the_evidence_of_its_kind(reader: KindReader) -> None:
    assert reader.evidence([K.AMOUNT], FEE) > 0 and reader.evidence([K.AMOUNT], PLACE) == 0
    assert reader.evidence([K.PLACE], PLACE) > 0 and reader.evidence([K.PLACE], FEE) == 0
    assert reader.evidence([K.DURATION], TIME) > 0 and reader.evidence([K.DURATION], FEE) == 0
    # "đồng" in "hội đồng" is no amount; a number before it is.
    assert reader.evidence([K.AMOUNT], "Hội đồng nhân dân xã họp.") == 0
    assert reader.evidence([K.DOCUMENTS], "Gửi kèm: a) tờ khai; b) ảnh; c) bản sao.") >= 2


def test_a_sentence_without_diacritics_is_read_without_them(reader: KindReader) -> None:
    assert reader.evidence([K.AMOUNT], "le phi la 200.000 dong") > 0


def test_editors_lines_extend_the_table() -> None:
    table = parse_table(["# comment", "place\task\tchỗ mô", "place\tevidence\tnhà văn hóa", ""])
    reader = KindReader(TextPipeline(), table)
    assert reader.kinds("làm căn cước chỗ mô") == (K.PLACE,)
    assert reader.evidence([K.PLACE], "Nộp ở nhà văn hóa thôn.") == 1


def test_yes_no_and_who_steer_only_the_short_answer() -> None:
    assert ranking_kinds((K.YESNO, K.AMOUNT, K.WHO)) == (K.AMOUNT,)


def _fit(fits: dict[int, int]) -> object:
    return lambda doc: (fits.get(doc, 0), fits.get(doc, 0))


def test_among_close_scores_the_passage_with_evidence_ranks_first() -> None:
    found = [ScoredDoc(0, 10.0), ScoredDoc(1, 9.5), ScoredDoc(2, 6.0), ScoredDoc(3, 5.0)]
    fit = _fit({1: 2, 3: 5})
    ranked = near_ties_first(found, fit, lambda d, top: False, Steering(0.15, 0.5))  # type: ignore[arg-type]
    assert [d.doc for d in ranked] == [1, 0, 2, 3]  # 3 is far and holds other words: stays


def test_a_passage_with_the_same_words_is_close_from_further_down() -> None:
    found = [ScoredDoc(0, 10.0), ScoredDoc(1, 6.0), ScoredDoc(2, 4.0)]
    fit = _fit({1: 1, 2: 3})
    ranked = near_ties_first(found, fit, lambda d, top: True, Steering(0.15, 0.5))  # type: ignore[arg-type]
    assert [d.doc for d in ranked] == [1, 0, 2]  # 2 is below half the best score


held_top = frozenset({"ho", "chieu"})


def test_the_same_words_count_only_within_the_top_passages_article() -> None:
    held = {0: frozenset({"ho", "chieu"}), 1: frozenset({"ho", "chieu", "le"}), 2: held_top}
    same = same_words(held, np.array([7, 7, 8]))
    assert same(1, 0) and not same(2, 0)  # 2 holds the words but is another article
    assert not same(0, 1)  # 0 lacks a word the other holds
    assert not same_words(None, np.array([7, 7]))(1, 0)  # a long question: no such rule


def test_without_evidence_the_order_is_bm25s() -> None:
    found = [ScoredDoc(0, 10.0), ScoredDoc(1, 9.9)]
    assert near_ties_first(found, lambda d: (0, -d), lambda d, t: True, Steering()) == found


def test_the_short_answer_prefers_the_sentence_that_gives_the_kind(reader: KindReader) -> None:
    passage = f"{FEE} {TIME} {PLACE}"
    matcher = Matcher(reader.pipeline, "làm hộ chiếu ở đâu")
    strength = lambda text: reader.evidence([K.PLACE], text)  # noqa: E731
    assert PLACE in summarize(matcher, passage, strength)
    assert summarize(matcher, passage) == f"{FEE} {TIME}"  # by the words alone: the first two
