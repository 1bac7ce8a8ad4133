"""The action a question asks (cấp lại, hủy, mất…) and whether a passage holds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.actions import NO_ACTIONS, ActionReader, table_lines
from bot.core.index import BM25Index
from bot.core.text import TextPipeline

EXPIRED = "Người có giấy phép lái xe hết hạn nộp hồ sơ đổi giấy phép lái xe trên cổng dịch vụ công."


@pytest.fixture(scope="module")
def reader() -> ActionReader:
    return ActionReader(TextPipeline())


@pytest.mark.parametrize(
    ("question", "actions"),
    [
        ("giấy phép lái xe bị mất thì làm lại ở đâu", {"mất", "cấp lại"}),
        ("giay phep lai xe bi mat thi lam lai o dau", {"mất", "cấp lại"}),
        ("HỦY ĐĂNG KÝ HỘ KINH DOANH", {"hủy"}),
        ("huỷ đăng ký hộ kinh doanh", {"hủy"}),  # the old placing of the accent
        ("thay đổi nội dung đăng ký hộ kinh doanh", {"thay đổi"}),  # not "đổi" as well
        ("đổi giấy phép lái xe", {"đổi"}),
        ("hộ chiếu bị thất lạc", {"mất"}),  # another wording of the same action
        ("đăng ký kết hôn ở đâu", set()),
    ],
)
def test_a_question_asks_its_actions(reader: ActionReader, question: str, actions: set) -> None:
    assert reader.read(question, reader.pipeline.typed_diacritics(question)) == actions


@pytest.mark.parametrize(
    "question",
    [
        "làm hộ chiếu mất bao lâu",  # a duration
        "lam ho chieu mat bao lau",
        "bao mat thong tin ca nhan the nao",  # "bảo mật" typed without accents
        "quy dinh doi voi nguoi nuoc ngoai",  # "đối với", not "đổi"
        "chi phí phát sinh là bao nhiêu",
    ],
)
def test_words_that_only_look_like_an_action_ask_none(reader: ActionReader, question: str) -> None:
    assert reader.asked(question) == NO_ACTIONS


def missing(reader: ActionReader, question: str, passage: str) -> float:
    """The share of the question's actions that `passage`, indexed alone, lacks."""
    index = BM25Index.from_token_lists([reader.pipeline.terms(passage)])
    return reader.asked(question).missing([(index, 0)])


def test_a_passage_missing_the_action_asked_is_marked(reader: ActionReader) -> None:
    assert missing(reader, "giấy phép lái xe bị mất thì làm sao", EXPIRED) == 1.0
    assert missing(reader, "đổi giấy phép lái xe hết hạn", EXPIRED) == 0.0
    assert missing(reader, "giấy phép lái xe bị mất thì đổi ở đâu", EXPIRED) == 0.5
    assert missing(reader, "giấy phép lái xe làm ở đâu", EXPIRED) == 0.0


def test_any_wording_of_the_action_holds_it(reader: ActionReader) -> None:
    assert missing(reader, "hộ chiếu bị mất", "Hộ chiếu bị thất lạc thì báo công an.") == 0.0
    assert missing(reader, "huy dang ky", "Hủy bỏ đăng ký hộ kinh doanh") == 0.0


def test_accents_count_only_when_the_question_has_them(reader: ActionReader) -> None:
    # Without accents "mat" is "mất" or "mật"; with them, "mật" is another word.
    assert missing(reader, "hộ chiếu bị mất", "Hộ chiếu có mật mã riêng.") == 1.0
    assert missing(reader, "ho chieu bi mat", "Hộ chiếu bị mất thì báo công an.") == 0.0
    assert missing(reader, "doi giay phep lai xe", "Cấp đổi giấy phép lái xe.") == 0.0


def test_no_actions_miss_nothing() -> None:
    index = BM25Index.from_token_lists([["bat", "ky"]])
    assert NO_ACTIONS.missing([(index, 0)]) == 0.0


def test_an_editors_file_adds_actions(tmp_path: Path, reader: ActionReader) -> None:
    extra = tmp_path / "actions.tsv"
    extra.write_text("# thêm\nnhập hộ\tnhập hộ\nnhập hộ\tnhập khẩu\n", encoding="utf-8")
    extended = ActionReader(reader.pipeline, table_lines(extra))
    assert extended.read("nhập khẩu cho con", True) == {"nhập hộ"}
    assert reader.read("nhập khẩu cho con", True) == frozenset()
    assert extended.read("hủy đăng ký", True) == {"hủy"}  # the shipped ones stay
