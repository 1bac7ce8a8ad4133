"""Pure pieces of the Telegram front end: HTML, splitting, flood control, addressing, buttons."""

from __future__ import annotations

import html
from typing import Any

import pytest
from telegram import Message

from bot.core.formatting import citation_line
from bot.core.models import Citation
from bot.telegram.addressing import addressed_question, command_for_other_bot
from bot.telegram.flood import FloodGuard
from bot.telegram.keyboards import (
    EXAMPLE,
    EXAMPLES,
    MORE,
    SOURCES,
    VOTE,
    Callback,
    answer_keyboard,
    decode,
    encode,
    examples_keyboard,
    sources_keyboard,
)
from bot.telegram.markup import HTML, TELEGRAM_LIMIT, plain_length, split_message
from tests.helpers import updates as U
from tests.helpers.fake_bot_api import TelegramHtml

BOT = (U.BOT_USERNAME, U.BOT_ID)


def visible(fragment: str) -> str:
    """What Telegram shows for an HTML fragment; fails like Telegram on invalid HTML."""
    return TelegramHtml().parse(fragment)


# --- split_message -------------------------------------------------------------------------


def test_short_text_is_one_message() -> None:
    assert split_message("<b>Chính quyền số</b> &amp; dịch vụ công") == [
        "<b>Chính quyền số</b> &amp; dịch vụ công"
    ]


def test_split_between_paragraphs_within_the_limit() -> None:
    paragraphs = [f"<b>Đoạn {n}</b>: " + "chữ " * 20 + "&lt;hết&gt;" for n in range(12)]
    text = "\n\n".join(paragraphs)

    parts = split_message(text, limit=300)

    assert len(parts) > 1
    assert all(plain_length(p) <= 300 for p in parts)
    assert all(len(visible(p)) <= 300 for p in parts)  # valid HTML, counted as Telegram does
    # Cut only at paragraph boundaries: nothing lost, nothing re-ordered, no paragraph broken.
    assert "\n\n".join(parts) == text
    assert all(p.split("\n\n")[0] in paragraphs for p in parts)


def test_entities_count_as_one_character() -> None:
    text = "&amp;" * 10 + "\n\n" + "&lt;" * 10  # 10 + 2 + 10 visible characters

    assert plain_length(text) == 22
    assert split_message(text, limit=22) == [text]
    assert split_message(text, limit=21) == ["&amp;" * 10, "&lt;" * 10]


def test_oversized_paragraph_is_cut_by_lines_first() -> None:
    lines = [f"<b>Dòng {n}</b> " + "x" * 30 for n in range(10)]

    parts = split_message("\n".join(lines), limit=100)

    assert all(plain_length(p) <= 100 for p in parts)
    assert [visible(line) for p in parts for line in p.split("\n\n")] == [
        visible(line) for line in lines
    ]


def test_oversized_line_is_hard_split_at_spaces_and_stays_valid_html() -> None:
    words = [f"từ{n}&amp;<b>đậm</b>" for n in range(200)]
    line = " ".join(words)
    assert plain_length(line) > 1000

    parts = split_message(line, limit=100)

    assert len(parts) > 10
    assert all(len(visible(p)) <= 100 for p in parts)
    assert " ".join(visible(p).strip() for p in parts).split() == visible(line).split()


def test_word_longer_than_the_limit_is_cut_anyway() -> None:
    parts = split_message("a" * 250, limit=100)

    assert parts == ["a" * 100, "a" * 100, "a" * 50]


def test_split_to_telegram_limit_by_default() -> None:
    paragraph = "Chính quyền số &amp; dịch vụ công. " * 30
    parts = split_message("\n\n".join([paragraph] * 20))

    assert len(parts) > 1
    assert all(len(visible(p)) <= TELEGRAM_LIMIT for p in parts)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_emoji_count_two_units_as_in_telegram() -> None:
    parts = split_message("😀" * 3000)

    assert [units(visible(p)) for p in parts] == [4096, 1904]
    assert "".join(parts) == "😀" * 3000


def test_a_line_of_emoji_words_is_cut_at_spaces_within_the_unit_limit() -> None:
    line = " ".join(["🏠" * 40] * 70)  # 70 words of 80 units: 5,669 units, 2,869 characters

    parts = split_message(line, limit=TELEGRAM_LIMIT)

    assert len(parts) == 2 and all(units(visible(p)) <= TELEGRAM_LIMIT for p in parts)
    assert " ".join(parts).split() == line.split()


def test_a_tag_open_at_a_cut_is_closed_and_reopened_so_each_part_is_valid_html() -> None:
    """/stats sends its report as one <pre> block: cut by lines, each part must still parse."""
    report = "<pre>" + "\n".join(f"Dòng {n}: " + "😀 câu hỏi " * 8 for n in range(120)) + "</pre>"

    parts = split_message(report)

    assert len(parts) > 1
    assert all(p.startswith("<pre>") and p.endswith("</pre>") for p in parts)
    assert all(units(visible(p)) <= TELEGRAM_LIMIT for p in parts)  # visible() parses as Telegram
    assert [line for p in parts for line in visible(p).split("\n") if line] == [
        line for line in visible(report).split("\n")
    ]


# --- HtmlMarkup ----------------------------------------------------------------------------


def test_escape_leaves_no_markup() -> None:
    raw = '<script>alert("x")</script> & A < B > C'

    escaped = HTML.escape(raw)

    assert escaped == '&lt;script&gt;alert("x")&lt;/script&gt; &amp; A &lt; B &gt; C'
    assert visible(escaped) == raw


def test_bold_escapes_its_content() -> None:
    assert HTML.bold("a < b & c") == "<b>a &lt; b &amp; c</b>"


@pytest.mark.parametrize(
    "url",
    ["https://haiphong.gov.vn/tin?id=1&x=2", "http://example.vn/a\"b'c"],
)
def test_http_links_are_linked_with_escaped_urls(url: str) -> None:
    linked = HTML.link("Tiêu đề", url)

    assert linked == f'<a href="{html.escape(url, quote=True)}">Tiêu đề</a>'
    assert visible(linked) == "Tiêu đề"


@pytest.mark.parametrize(
    "url",
    [None, "", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "ftp://x.vn/a"],
)
def test_other_urls_are_not_linked(url: str | None) -> None:
    assert HTML.link("Tiêu đề", url) == "Tiêu đề"


def test_citation_line_in_html() -> None:
    citation = Citation(
        title="A & B <tag>",
        date="22/02/2023",
        author="Hoàng & Minh",
        url="https://x.vn/?a=1&b=2",
        source="a.md",
    )

    line = citation_line(2, citation, HTML)

    assert line == (
        '2. <a href="https://x.vn/?a=1&amp;b=2">A &amp; B &lt;tag&gt;</a>'
        " — 22/02/2023 — Hoàng &amp; Minh"
    )
    visible(line)


# --- FloodGuard ----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_flood_guard_limits_each_user_in_a_sliding_window() -> None:
    clock = Clock()
    guard = FloodGuard(3, window=60, clock=clock)

    assert [guard.allow(1) for _ in range(3)] == [True, True, True]
    assert guard.allow(1) is False
    assert guard.allow(2) is True  # per user
    clock.now += 59.9
    assert guard.allow(1) is False  # refused questions are not counted, but the window holds
    clock.now += 0.1
    assert guard.allow(1) is True  # the first three have left the window


def test_flood_guard_window_slides_per_question() -> None:
    clock = Clock()
    guard = FloodGuard(2, window=60, clock=clock)

    assert guard.allow(7)
    clock.now += 30
    assert guard.allow(7)
    clock.now += 30  # the first left the window, the second has not
    assert guard.allow(7)
    assert not guard.allow(7)


def test_flood_guard_forgets_idle_users() -> None:
    clock = Clock()
    guard = FloodGuard(5, window=60, clock=clock)
    for user_id in range(1000):
        guard.allow(user_id)
    clock.now += 61

    guard.allow(5000)  # any question sweeps users idle for a whole window

    assert set(guard._seen) == {5000}


# --- addressing ----------------------------------------------------------------------------


def msg(update: dict[str, Any]) -> Message:
    return Message.de_json(update["message"], bot=None)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("@CqsHaiPhongBot Chính quyền số là gì?", "Chính quyền số là gì?"),
        ("@cqshaiphongbot chính quyền số là gì", "chính quyền số là gì"),
        ("@CqsHaiPhongBot: chính quyền số?", "chính quyền số?"),
        ("Cho hỏi @CqsHaiPhongBot, chính quyền số là gì?", "Cho hỏi chính quyền số là gì?"),
        ("Chính quyền số là gì @CqsHaiPhongBot", "Chính quyền số là gì"),
        ("😀 @CqsHaiPhongBot chính quyền số", "😀 chính quyền số"),  # UTF-16 offsets
        ("@someone hỏi @CqsHaiPhongBot về CCCD", "@someone hỏi về CCCD"),
        ("@CqsHaiPhongBot", ""),
    ],
)
def test_mentions_of_the_bot_are_removed_from_the_question(text: str, question: str) -> None:
    assert addressed_question(msg(U.group_text(text)), *BOT) == question


@pytest.mark.parametrize(
    "text",
    ["Chính quyền số là gì?", "@someone chính quyền số là gì?", "email@CqsHaiPhongBot.vn"],
)
def test_messages_not_for_the_bot(text: str) -> None:
    assert addressed_question(msg(U.group_text(text)), *BOT) is None


def test_text_mention_of_the_bot() -> None:
    text = "Trợ lý ơi, chính quyền số là gì?"
    entity = {"type": "text_mention", "offset": 0, "length": 6, "user": U.BOT_USER}
    message = msg(U.group_text(text, entities=[entity]))

    assert addressed_question(message, *BOT) == "ơi, chính quyền số là gì?"


def test_text_mention_of_someone_else_is_not_for_the_bot() -> None:
    entity = {"type": "text_mention", "offset": 0, "length": 3, "user": U.user(42)}
    message = msg(U.group_text("Lan hỏi chính quyền số", entities=[entity]))

    assert addressed_question(message, *BOT) is None


def test_reply_to_the_bot_is_a_question() -> None:
    mine = U.bot_message("Bạn hỏi gì?", chat=U.group_chat())
    message = msg(U.group_text("Chính quyền số là gì?", reply_to=mine))

    assert addressed_question(message, *BOT) == "Chính quyền số là gì?"


def test_reply_to_someone_else_is_not_for_the_bot() -> None:
    theirs = U.group_text("Mình cũng thắc mắc", user_id=99)["message"]
    message = msg(U.group_text("Chính quyền số là gì?", reply_to=theirs))

    assert addressed_question(message, *BOT) is None


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("/ask@OtherBot câu hỏi", True),
        ("/help@otherbot", True),
        ("/ask@CqsHaiPhongBot câu hỏi", False),
        ("/ask@cqshaiphongbot", False),
        ("/ask câu hỏi", False),
        ("/foo", False),
    ],
)
def test_commands_for_other_bots(text: str, other: bool) -> None:
    assert command_for_other_bot(msg(U.group_text(text)), U.BOT_USERNAME) is other


def test_message_without_text_is_no_command() -> None:
    assert command_for_other_bot(msg(U.photo_message()), U.BOT_USERNAME) is False


# --- keyboards -----------------------------------------------------------------------------


def all_data(markup: Any) -> list[str]:
    return [b.callback_data for row in markup.inline_keyboard for b in row]


@pytest.mark.parametrize(
    ("kind", "ref", "value"),
    [(VOTE, 1, 1), (VOTE, 2**40, -1), (MORE, 12, 3), (EXAMPLE, 2, 0), (SOURCES, 4, 0)],
)
def test_encode_decode_round_trip(kind: str, ref: int, value: int) -> None:
    data = encode(kind, ref, value)

    assert len(data.encode()) <= 64
    assert decode(data) == Callback(kind, ref, value)


def test_every_button_fits_telegrams_64_bytes() -> None:
    huge = 2**62
    markups = [
        answer_keyboard(huge, 0, True),
        answer_keyboard(huge, 10**6, True),
        examples_keyboard(),
        sources_keyboard(10**6, True),
    ]

    for markup in markups:
        for data in all_data(markup):
            assert 1 <= len(data.encode()) <= 64
            assert decode(data) is not None


def test_answer_keyboard_layout() -> None:
    first = answer_keyboard(5, 0, True)
    middle = answer_keyboard(5, 2, True)
    last = answer_keyboard(5, 3, False)

    labels = [[b.text for b in row] for row in first.inline_keyboard]
    assert labels == [["👍", "👎"], ["Xem thêm ▶"]]
    assert [decode(d) for d in all_data(first)] == [
        Callback(VOTE, 5, 1),
        Callback(VOTE, 5, -1),
        Callback(MORE, 5, 1),
    ]
    assert [decode(d) for d in all_data(middle)][2:] == [Callback(MORE, 5, 1), Callback(MORE, 5, 3)]
    assert [decode(d) for d in all_data(last)][2:] == [Callback(MORE, 5, 2)]
    assert [[b.text for b in row] for row in answer_keyboard(5, 0, False).inline_keyboard] == [
        ["👍", "👎"]
    ]


def test_examples_and_sources_keyboards() -> None:
    examples = examples_keyboard()

    assert [b.text for row in examples.inline_keyboard for b in row] == list(EXAMPLES)
    assert [decode(d) for d in all_data(examples)] == [
        Callback(EXAMPLE, i, 0) for i in range(len(EXAMPLES))
    ]
    assert sources_keyboard(0, False) is None
    assert [decode(d) for d in all_data(sources_keyboard(1, True))] == [
        Callback(SOURCES, 0, 0),
        Callback(SOURCES, 2, 0),
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "v",
        "v:1",
        "v:1:1:1",
        "q:1:1",
        "V:1:1",
        "v:one:1",
        "v:1:1.5",
        "m:1:",
        ":1:1",
        "v:1:1 ; DROP TABLE votes",
        "more:1",
        "💥",
    ],
)
def test_foreign_or_tampered_data_decodes_to_none(data: str | None) -> None:
    assert decode(data) is None
