"""Inline keyboards and their callback data (≤ 64 bytes, everything else lives in SQLite)."""

from __future__ import annotations

from typing import NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

VOTE, MORE, EXAMPLE, SOURCES, SUGGESTION, NOTIFY = "v", "m", "x", "s", "g", "n"
UNANSWERED = "u"  # an editor's "answer this group" (ref: days, value: the group's place)
UNANSWERED_PAGE = "w"  # ◀ ▶ under /unanswered (ref: days, value: page)
KINDS = (VOTE, MORE, EXAMPLE, SOURCES, SUGGESTION, NOTIFY, UNANSWERED, UNANSWERED_PAGE)
NOTIFY_LABEL = "🔔 Báo cho tôi khi có câu trả lời"
BUTTON_CHARS = 60  # a suggestion's title on a button, cut beyond this
MAX_NUMBER = 2**63 - 1  # SQLite's INTEGER range: a larger (tampered) id must not reach a query
EXAMPLES = (
    "Chính quyền số là gì?",
    "Dịch vụ công trực tuyến mức độ 4 là gì?",
    "Hải Phòng xây dựng chính quyền số như thế nào?",
)


class Callback(NamedTuple):
    """A parsed button press: kind, the id it refers to, and a number (vote or page)."""

    kind: str
    ref: int
    value: int


def encode(kind: str, ref: int, value: int = 0) -> str:
    return f"{kind}:{ref}:{value}"


def decode(data: str | None) -> Callback | None:
    """None for anything this bot did not write (old, foreign or tampered buttons)."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] not in KINDS:
        return None
    try:
        ref, value = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if not (0 <= ref <= MAX_NUMBER and -1 <= value <= MAX_NUMBER):
        return None
    return Callback(parts[0], ref, value)


def answer_keyboard(question_id: int, page: int, has_more: bool) -> InlineKeyboardMarkup:
    """👍 / 👎 and paging through further passages of the same answer."""
    rows = [
        [
            InlineKeyboardButton("👍", callback_data=encode(VOTE, question_id, 1)),
            InlineKeyboardButton("👎", callback_data=encode(VOTE, question_id, -1)),
        ]
    ]
    paging = []
    if page > 0:
        paging.append(
            InlineKeyboardButton("◀ Quay lại", callback_data=encode(MORE, question_id, page - 1))
        )
    if has_more:
        paging.append(
            InlineKeyboardButton("Xem thêm ▶", callback_data=encode(MORE, question_id, page + 1))
        )
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows)


def not_found_keyboard(
    question_id: int, titles: list[str], notify: bool
) -> InlineKeyboardMarkup | None:
    """One button per nearest article of a "not found" (pressing one asks about it), and in a
    private chat "tell me when there is an answer"."""
    rows = [
        [InlineKeyboardButton(_cut(title), callback_data=encode(SUGGESTION, question_id, i))]
        for i, title in enumerate(titles)
    ]
    if notify:
        rows.append([InlineKeyboardButton(NOTIFY_LABEL, callback_data=encode(NOTIFY, question_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def _cut(title: str) -> str:
    return title if len(title) <= BUTTON_CHARS else title[: BUTTON_CHARS - 1].rstrip() + "…"


def examples_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(q, callback_data=encode(EXAMPLE, i))]
            for i, q in enumerate(EXAMPLES)
        ]
    )


def sources_keyboard(page: int, has_more: bool) -> InlineKeyboardMarkup | None:
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton("◀ Trước", callback_data=encode(SOURCES, page - 1)))
    if has_more:
        buttons.append(InlineKeyboardButton("Sau ▶", callback_data=encode(SOURCES, page + 1)))
    return InlineKeyboardMarkup([buttons]) if buttons else None
