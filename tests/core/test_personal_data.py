"""Personal data in questions: what is replaced, what is left alone, and what the search reads."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.answer import prepare_question
from bot.core.personal_data import Kind, redact, without_placeholders
from bot.engine import KnowledgeBase

# --- what is replaced ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "CCCD của tôi là 031095012345, cấp lại thế nào?",
            "CCCD của tôi là [số CCCD], cấp lại thế nào?",
        ),
        ("cccd 031 095 012 345 bi mat thi lam sao", "cccd [số CCCD] bi mat thi lam sao"),
        ("số căn cước 031.095.012.345 hết hạn", "số căn cước [số CCCD] hết hạn"),
        ("CCCD 001090123456 cấp ngày 01/01/2021", "CCCD [số CCCD] cấp ngày 01/01/2021"),
        ("CMND 125456789 còn dùng được không", "CMND [số CMND] còn dùng được không"),
        ("cmnd cũ 012345678", "cmnd cũ [số CMND]"),
        ("số chứng minh 012.345.678", "số chứng minh [số CMND]"),
        ("CMND của tôi 125.456.789 bị mất", "CMND của tôi [số CMND] bị mất"),
    ],
)
def test_id_card_numbers_are_replaced(question: str, expected: str) -> None:
    assert redact(question).text == expected


@pytest.mark.parametrize(
    "phone",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "(+84) 912345678",
        "0387654321",
        "0225 3842 123",  # a Hải Phòng landline
    ],
)
def test_phone_numbers_are_replaced(phone: str) -> None:
    result = redact(f"sđt của tôi {phone}, gọi lại giúp")

    assert result.text == "sđt của tôi [số điện thoại], gọi lại giúp"
    assert result.kinds == (Kind.PHONE,)


def test_phone_typed_without_accents_or_glued_to_its_label() -> None:
    assert redact("sdt 0912345678").text == "sdt [số điện thoại]"
    assert redact("sdt:0912345678 a").text == "sdt:[số điện thoại] a"
    assert redact("sdt0912345678").text == "sdt[số điện thoại]"


def test_email_addresses_are_replaced() -> None:
    result = redact("Email nguyen.van-an+dvc@gmail.com.vn không nhận được mã")

    assert result.text == "Email [email] không nhận được mã"
    assert result.kinds == (Kind.EMAIL,)


@pytest.mark.parametrize(
    "plate", ["15A-123.45", "29A1-234.56", "30E-12345", "51f12345", "29-X1 234.56"]
)
def test_vehicle_plates_are_replaced(plate: str) -> None:
    assert redact(f"xe biển {plate} bị phạt nguội").text == "xe biển [biển số xe] bị phạt nguội"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Tôi tên là Nguyễn Văn An, muốn hỏi về CCCD", "Tôi tên là [họ tên], muốn hỏi về CCCD"),
        (
            "tôi tên là Nguyễn Văn An tôi muốn làm hộ chiếu",
            "tôi tên là [họ tên] tôi muốn làm hộ chiếu",
        ),
        ("Tên tôi là Trần Thị Bích Ngọc.", "Tên tôi là [họ tên]."),
        ("em tên là lan sinh năm 1990", "em tên là [họ tên] sinh năm 1990"),
        ("toi ten la nguyen van an muon hoi ve cccd", "toi ten la [họ tên] muon hoi ve cccd"),
        ("Tôi tên là Nguyễn Văn A", "Tôi tên là [họ tên]"),
        ("Họ và tên: Phạm Minh Đăng", "Họ và tên: [họ tên]"),
        ("tên của tôi là Hoàng Thị Mai ở Lê Chân", "tên của tôi là [họ tên] ở Lê Chân"),
        ("cháu tên là Minh, 10 tuổi", "cháu tên là [họ tên], 10 tuổi"),
        # typed in lower case, the way people write to a chat
        ("tôi tên là hoài nam, cho tôi hỏi", "tôi tên là [họ tên], cho tôi hỏi"),
        ("em tên là nguyễn thị ngân hiện đang làm", "em tên là [họ tên] hiện đang làm"),
        ("tôi tên là bình minh muốn hỏi", "tôi tên là [họ tên] muốn hỏi"),
        ("toi ten la hoai nam muon hoi", "toi ten la [họ tên] muon hoi"),
        ("Toi ten la Nguyen Hai Dang Toi muon hoi", "Toi ten la [họ tên] Toi muon hoi"),
    ],
)
def test_names_after_an_introduction_are_replaced_up_to_the_next_word(
    question: str, expected: str
) -> None:
    assert redact(question).text == expected


def test_accents_typed_as_combining_marks_hide_nothing() -> None:
    # Some keyboards send "ễ" as "e" and two combining marks: the name is still a name.
    typed = unicodedata.normalize("NFD", "Tôi tên là Nguyễn Văn An, số điện thoại 0912345678 ạ")
    question = prepare_question(typed, 2000)
    assert question.text == "Tôi tên là [họ tên], số điện thoại [số điện thoại] ạ"
    assert set(question.personal) == {Kind.NAME, Kind.PHONE}


def test_other_long_numbers_become_a_plain_placeholder() -> None:
    assert redact("mã số thuế 0201234567-001").text == "mã số thuế [số]"
    assert redact("số tài khoản 19033456789012").text == "số tài khoản [số]"


def test_result_says_what_was_replaced() -> None:
    question = "Tôi tên là Lan. CCCD 031095012345, sđt 0912345678, sđt khác 0987654321"
    result = redact(question)

    assert result.kinds == (Kind.NAME, Kind.CCCD, Kind.PHONE)
    assert [question[f.start : f.end] for f in result.found] == [
        "Lan",
        "031095012345",
        "0912345678",
        "0987654321",
    ]


def test_redaction_is_idempotent() -> None:
    once = redact("Tôi tên là Lan, CCCD 031095012345, xe 15A-123.45, a@b.vn").text

    assert redact(once).text == once
    assert redact(once).found == ()


# --- what is left alone ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Năm 2024 lệ phí cấp CCCD là bao nhiêu?",
        "Lệ phí là 50.000 đồng hay 50000 đồng?",
        "mức phạt 1.500.000.000 đồng",
        "phạt 150000000 đồng có đúng không",
        "thu nhập 1.500.000.000 thì đóng thuế gì",
        "Nghị định 13/2023/NĐ-CP quy định gì?",
        "Điều 12 khoản 3 điểm a Luật số 59/2020/QH14",
        "Quyết định số 1234/QĐ-UBND ngày 02/05/2024",
        "Thông tư 01/2023/TT-BCA, ISO 2024-05-02",
        "hẹn lúc 8h30 ngày 2/5, quận 12 phường 3",
        "tổng đài 1900 1234 và đường dây nóng 0225 1022",
        "năm 2023 2024 có gì mới",
        "tờ khai mẫu CT01 và TK1-TS",
        "họ tên trên CCCD bị sai thì sửa thế nào",
        "tên tôi bị sai trên giấy khai sinh",
        "em tên là gì cũng được à",
        "Chính quyền số là gì?",
    ],
)
def test_what_citizens_really_ask_about_is_left_alone(question: str) -> None:
    result = redact(question)

    assert result.text == question
    assert result.kinds == ()


# --- what the search reads -------------------------------------------------------------------


def test_placeholders_are_not_searched() -> None:
    question = prepare_question("CCCD 031095012345, sđt 0912345678 cấp lại ở đâu", 500)

    assert question.text == "CCCD [số CCCD], sđt [số điện thoại] cấp lại ở đâu"
    assert question.searched == "CCCD , cấp lại ở đâu"  # the phone's label goes with the number
    assert question.personal == (Kind.CCCD, Kind.PHONE)
    assert without_placeholders("[họ tên] [email] [biển số xe] [số] [số CMND]") == ""


def test_cutting_a_long_question_never_splits_a_placeholder() -> None:
    question = prepare_question("thủ tục " * 6 + "0912345678 nữa", 60)

    assert question.truncated
    assert "[số" not in question.text
    assert question.text.endswith("thủ tục")


async def test_question_with_numbers_is_answered_from_its_other_words(kb: KnowledgeBase) -> None:
    plain = await kb.ask("Chính quyền số là gì?")
    with_numbers = await kb.ask("Chính quyền số là gì? 0912 345 678, 031095012345, a@b.vn")

    assert with_numbers.answered
    assert with_numbers.question == "Chính quyền số là gì? [số điện thoại], [số CCCD], [email]"
    # The placeholders' words ("số", "điện thoại", "CCCD") neither rank nor count as uncovered.
    assert with_numbers.coverage == plain.coverage == 1.0
    assert [h.passage_id for h in with_numbers.hits] == [h.passage_id for h in plain.hits]
    assert with_numbers.personal == (Kind.PHONE, Kind.CCCD, Kind.EMAIL)


async def test_only_personal_data_is_no_question(kb: KnowledgeBase) -> None:
    answer = await kb.ask("0912345678")

    assert answer.outcome == "no_words"
    assert answer.question == "[số điện thoại]"
