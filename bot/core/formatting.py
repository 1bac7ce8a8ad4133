"""Reply text for an answer, written once and rendered as plain text (or HTML in the bot)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.answer import SUGGESTED, Answer, Outcome
from bot.core.models import Citation, Hit
from bot.core.small_talk import Talk, small_talk

EXAMPLE_QUESTION = "Chính quyền số là gì?"
HINTS = {
    Outcome.EMPTY: f"Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi, ví dụ: “{EXAMPLE_QUESTION}”",
    Outcome.NO_WORDS: (
        "Tôi chỉ hiểu câu hỏi viết bằng chữ. Hãy gõ câu hỏi, ví dụ: "
        "“Dịch vụ công trực tuyến mức độ 4 là gì?”"
    ),
}
SMALL_TALK_OPENINGS = {
    Talk.GREETING: "Xin chào! 👋",
    Talk.THANKS: "Không có gì ạ, rất vui được giúp bạn! 😊",
    Talk.GOODBYE: "Tạm biệt bạn, khi cần cứ quay lại hỏi nhé! 👋",
    Talk.ABOUT: "Rất vui được giới thiệu!",
    Talk.ACK: "Vâng ạ.",
    Talk.PING: "Tôi đây, luôn sẵn sàng trả lời bạn!",
}
SMALL_TALK_INTRO = (
    "Tôi là trợ lý hỏi đáp về chính quyền số và dịch vụ công: tôi tìm câu trả lời trong các "
    "bài viết chính thống và luôn ghi rõ nguồn. Bạn cứ gõ câu hỏi, có dấu hay không dấu đều "
    f"được, ví dụ: “{EXAMPLE_QUESTION}” hoặc “Dịch vụ công trực tuyến mức độ 4 là gì?”"
)
NOT_FOUND = "Xin lỗi, tôi chưa tìm thấy thông tin phù hợp trong kho tri thức."
UNSURE = "Tôi chưa chắc đây đúng là điều bạn hỏi, bạn nên đối chiếu với nguồn bên dưới:"
UNSURE_CONTACT = "Nếu chưa đúng điều bạn cần:"
UNCLEAR = (
    "Bạn muốn hỏi về thủ tục hay việc gì? Câu hỏi chưa nói rõ, nên tôi chưa thể trả lời chắc "
    "chắn. Hãy hỏi lại kèm tên thủ tục, ví dụ: “Đăng ký khai sinh nộp hồ sơ ở đâu?”"
)
SUGGEST = "Có phải bạn muốn hỏi về:"
SOURCES = "Nguồn:"
ABOUT = "Về:"  # before the FAQ question an answer comes from


@dataclass(frozen=True)
class Markup:
    """How one front end writes emphasis and links; plain text by default."""

    bold_open: str = ""
    bold_close: str = ""

    def escape(self, text: str) -> str:
        return text

    def link(self, title: str, url: str | None) -> str:
        return f"{title} ({url})" if url else title

    def bold(self, text: str) -> str:
        return f"{self.bold_open}{self.escape(text)}{self.bold_close}"


PLAIN = Markup()
TERMINAL = Markup("\033[1m", "\033[0m")


def marked(text: str, spans: tuple[tuple[int, int], ...], markup: Markup) -> str:
    """`text` with the spans emphasised and everything else escaped."""
    out: list[str] = []
    last = 0
    for start, end in spans:
        out += [markup.escape(text[last:start]), markup.bold(text[start:end])]
        last = end
    out.append(markup.escape(text[last:]))
    return "".join(out)


def citation_line(n: int, citation: Citation, markup: Markup) -> str:
    """'1. Title — 22/02/2023 — Author', the title linked when the article has a url."""
    parts = [markup.link(markup.escape(citation.title), citation.url)]
    parts += [markup.escape(p) for p in (citation.date, citation.author) if p]
    return f"{n}. " + " — ".join(parts)


def about_line(question: str | None, markup: Markup) -> str:
    """'Về: <the FAQ question>' for an FAQ answer, '' for article text."""
    return f"{markup.bold(ABOUT)} {markup.escape(question)}" if question else ""


def understood_line(understood: str | None, markup: Markup) -> str:
    """How a follow-up was read ("Về: Cấp thẻ căn cước — lệ phí"), so a wrong reading shows."""
    if not understood:
        return ""
    head, _, rest = understood.partition(" ")
    return f"{markup.bold(head)} {markup.escape(rest)}"


def truncation_note(answer: Answer, limit: int) -> str:
    return f"(Câu hỏi quá dài nên tôi chỉ đọc {limit} ký tự đầu.)" if answer.truncated else ""


def small_talk_reply(question: str) -> str:
    """A short opening that fits the small talk, then what the bot does and two examples."""
    # The kind is read again from the stored question rather than carried on every Answer.
    found = small_talk(question)
    opening = SMALL_TALK_OPENINGS[found.kind] if found else SMALL_TALK_OPENINGS[Talk.PING]
    return f"{opening} {SMALL_TALK_INTRO}"


def spelling_note(answer: Answer, markup: Markup) -> str:
    """Which words were read differently, so a wrong reading is visible."""
    if not answer.spelling:
        return ""
    read = ", ".join(f"«{fix.typed}» là «{fix.read_as}»" for fix in answer.spelling)
    return markup.escape(f"(Tôi đọc {read}.)")


def suggestions(hits: Iterable[Hit]) -> list[str]:
    """The distinct titles of the hits, nearest first (at most three): a "not found" offers the
    leading ones that came close (`Answer.offered`), so its buttons are numbered in this list."""
    return list(dict.fromkeys(h.citation.title for h in hits))[:SUGGESTED]


def render_answer(
    answer: Answer,
    contact: str,
    markup: Markup = PLAIN,
    question_limit: int = 0,
    suggestion_buttons: bool = False,
) -> str:
    """The full reply: summary and sources, a hint, a small-talk reply, or an honest 'not found'.

    With `suggestion_buttons` the nearest titles are left to buttons under the message.
    """
    if answer.outcome in HINTS:
        return markup.escape(HINTS[answer.outcome])
    if answer.outcome is Outcome.SMALL_TALK:
        return markup.escape(small_talk_reply(answer.question))
    blocks = [truncation_note(answer, question_limit), spelling_note(answer, markup)]
    if answer.answered:
        blocks += answered_blocks(answer, contact, markup)
    else:
        blocks += not_found_blocks(answer, contact, markup, suggestion_buttons)
    return "\n\n".join(b for b in blocks if b)


def answered_blocks(answer: Answer, contact: str, markup: Markup) -> list[str]:
    """What it is about, the short answer and its sources; an answer the bot is not sure of says
    so first and still points to a person who can be sure."""
    citations = list(dict.fromkeys(h.citation for h in answer.hits))
    lines = [citation_line(n, c, markup) for n, c in enumerate(citations, start=1)]
    return [
        understood_line(answer.understood, markup) or about_line(answer.about, markup),
        markup.escape(UNSURE) if answer.unsure else "",
        marked(answer.summary, answer.marks, markup),
        "\n".join([markup.escape(SOURCES), *lines]),
        markup.escape(f"{UNSURE_CONTACT} {contact}") if answer.unsure else "",
    ]


def not_found_blocks(
    answer: Answer, contact: str, markup: Markup, suggestion_buttons: bool
) -> list[str]:
    """ "Not found" and the contact, or for a question naming no topic the question back; then
    the titles offered (only their heading when they are buttons)."""
    if answer.unclear:
        blocks = [markup.escape(UNCLEAR)]
    else:
        blocks = [markup.escape(NOT_FOUND), markup.escape(contact)]
    if answer.offered and suggestion_buttons:
        blocks.append(markup.escape(SUGGEST))
    elif answer.offered:
        lines = [f"• {markup.escape(t)}" for t in answer.offered]
        blocks.append("\n".join([markup.escape(SUGGEST), *lines]))
    return blocks
