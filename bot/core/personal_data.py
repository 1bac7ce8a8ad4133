"""Personal identifiers in citizens' questions, replaced by placeholders before storing.

ID card numbers (CCCD, CMND), phone numbers, e-mail addresses, vehicle plates, names after
"tôi tên là", and other long digit runs (accounts, tax codes). Years, fees, dates and law numbers
("Nghị định 13/2023/NĐ-CP", "Điều 12", "50.000 đồng") are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from bot.core.text import FOLD_TABLE, composed, fold, typed_diacritics


class Kind(StrEnum):
    """What sort of identifier was found."""

    CCCD = "cccd"
    CMND = "cmnd"
    PHONE = "phone"
    EMAIL = "email"
    PLATE = "plate"
    NAME = "name"
    NUMBER = "number"


PLACEHOLDERS: dict[Kind, str] = {
    Kind.CCCD: "[số CCCD]",
    Kind.CMND: "[số CMND]",
    Kind.PHONE: "[số điện thoại]",
    Kind.EMAIL: "[email]",
    Kind.PLATE: "[biển số xe]",
    Kind.NAME: "[họ tên]",
    Kind.NUMBER: "[số]",
}
PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


@dataclass(frozen=True)
class Found:
    """One identifier: its kind and its character span in the original text."""

    kind: Kind
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    """The text with identifiers replaced, and what was replaced (spans of the original)."""

    text: str
    found: tuple[Found, ...] = ()

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The kinds found, each once, in order of first appearance."""
        return tuple(dict.fromkeys(f.kind for f in self.found))


# Patterns run on an accent-folded view of the same length ("Đồng" → "Dong"), ignoring case.
SEP = r"[ .\-]?"
# Digits: not inside a "13/2023" or a "1.500" (a letter before is fine: "sdt0912345678").
DIGITS_BEFORE = r"(?<![\d/+])(?<!\d[.,])"
BEFORE = r"(?<!\w)" + DIGITS_BEFORE
AFTER = r"(?![\w/])(?![.,]\d)"
NOT_MONEY = r"(?!\s*(?:dong|d|vnd|trieu|ty|nghin|ngan|usd)\b)"
CMND_FORMS = r"(?:\d{9}|\d{3} \d{3} \d{3}|0\d{2}[.\-]\d{3}[.\-]\d{3})"
PLATE_FORMS = r"\d{2}-?[A-Z]{1,2}\d?[ .\-]?(?:\d{3}\.?\d{2}|\d{4})"  # 15A-123.45, 29A1-234.56
_PATTERNS = (
    (Kind.EMAIL, r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"),
    (Kind.CCCD, DIGITS_BEFORE + rf"0\d{{2}}(?:{SEP}\d){{9}}" + AFTER),
    (Kind.PHONE, DIGITS_BEFORE + rf"(?:\(?\+84\)?|84|0){SEP}[35789](?:{SEP}\d){{8}}" + AFTER),
    (Kind.PHONE, DIGITS_BEFORE + rf"(?:\(?\+84\)?{SEP}|0)2(?:{SEP}\d){{9}}" + AFTER),  # landline
    (Kind.PLATE, BEFORE + PLATE_FORMS + AFTER),
    (Kind.CMND, DIGITS_BEFORE + CMND_FORMS + AFTER + NOT_MONEY),
    (Kind.NUMBER, DIGITS_BEFORE + r"\d(?:[.\-]?\d){9,}" + AFTER + NOT_MONEY),  # tax code, account
)
PATTERNS = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in _PATTERNS)
# A dotted 9-digit "125.456.789" reads as money, unless the writer just said it is a CMND.
CMND_AFTER_KEYWORD = re.compile(
    r"\b(?:cmnd|cmt|chung minh(?: nhan dan| thu)?)\b[^\d\n]{0,25}?"
    rf"(?<![\d.,])(\d{{3}}{SEP}\d{{3}}{SEP}\d{{3}})(?![\w/])(?![.,]\d)",
    re.IGNORECASE,
)
MONEY_RE = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")  # "1.500.000.000": an amount, not an id

NAME_TRIGGER = re.compile(
    r"\b(?:(?:toi|em|minh|chau|con)\s+ten\s+la|ten\s+(?:cua\s+)?(?:toi|em|minh|chau|con)\s+la"
    r"|ho\s+(?:va\s+)?ten\s*(?::|la))\s*:?",
    re.IGNORECASE,
)
NAME_WORD = re.compile(r"[ \t]*([^\W\d_]+)")
MAX_NAME_WORDS = 5
# Words that end a name typed without capitals ("tôi tên là lan sinh năm 1990"), compared as
# typed; without accents, minus the spellings of common name syllables (nam: Nam, năm).
_NAME_STOPS = (
    "sinh năm ở tại quê hiện muốn cần xin hỏi cho đang và thì nhà có đã sẽ làm đến từ số sđt"
    " sdt cccd cmnd địa email nay vừa bị được không ạ ơi nhé nha hả vậy rồi là tôi em mình"
    " thường trú liên hệ gọi điện thoại căn cước ngày tháng với mà nên vì nhưng cảm ơn sống"
    " người cũng giúp về của bạn hôm giờ gì sao nào ai bao nhiêu đâu"
)
NAME_STOPS = frozenset(_NAME_STOPS.split())
_NAME_SYLLABLES = "nam minh thi tai hien dang thuong lien ngan tu bao can que"
NAME_SYLLABLES = frozenset(_NAME_SYLLABLES.split())
FOLDED_NAME_STOPS = frozenset(fold(w) for w in NAME_STOPS) - NAME_SYLLABLES


# One character for one: lone combining marks stay, so spans in the view are spans in the text.
ALIGNED_FOLD = {cp: bare for cp, bare in FOLD_TABLE.items() if bare is not None}


def folded_view(text: str) -> str:
    """`text` with diacritics folded character by character, so spans stay aligned."""
    return text.translate(ALIGNED_FOLD)


def _pattern_matches(view: str) -> Iterator[tuple[Found, int]]:
    """Every pattern's matches, with the pattern's priority (lower wins a tie)."""
    for priority, (kind, pattern) in enumerate(PATTERNS):
        for m in pattern.finditer(view):
            if kind is Kind.NUMBER and MONEY_RE.fullmatch(m.group()):
                continue
            yield Found(kind, m.start(), m.end()), priority
    for m in CMND_AFTER_KEYWORD.finditer(view):
        yield Found(Kind.CMND, m.start(1), m.end(1)), -1


def _is_name_stop(word: str, capitalised: bool, accented: bool) -> bool:
    """A lower-case word after a capitalised name, or a typical following word, ends a name."""
    if capitalised and not word[0].isupper():
        return True
    lowered = word.lower()
    return lowered in NAME_STOPS if accented else fold(lowered) in FOLDED_NAME_STOPS


def _names(text: str, view: str) -> Iterator[Found]:
    """Names after "tôi tên là" and the like, up to punctuation or a typical following word."""
    accented = typed_diacritics(text)
    for trigger in NAME_TRIGGER.finditer(view):
        pos, start, end = trigger.end(), None, None
        capitalised = None
        for _ in range(MAX_NAME_WORDS):
            m = NAME_WORD.match(text, pos)
            if m is None:
                break
            word = m.group(1)
            capitalised = word[0].isupper() if capitalised is None else capitalised
            if _is_name_stop(word, capitalised, accented):
                break
            start = m.start(1) if start is None else start
            pos = end = m.end(1)
        if start is not None and end is not None:
            yield Found(Kind.NAME, start, end)


def find_personal_data(text: str) -> tuple[Found, ...]:
    """Non-overlapping identifiers in `text`, left to right (the longest wins at one place)."""
    view = folded_view(text)
    candidates = list(_pattern_matches(view))
    candidates += [(f, 0) for f in _names(text, view)]
    candidates.sort(key=lambda c: (c[0].start, c[0].start - c[0].end, c[1]))
    kept: list[Found] = []
    for found, _ in candidates:
        if not kept or found.start >= kept[-1].end:
            kept.append(found)
    return tuple(kept)


def redacted(text: str) -> str:
    """What is stored of a citizen's free text: composed (NFC) first, so a name typed with
    combining accents is found, then redacted."""
    return redact(composed(text)).text


def redact(text: str) -> Redaction:
    """`text` with each identifier replaced by its placeholder ("[số CCCD]", "[họ tên]"…)."""
    found = find_personal_data(text)
    parts, last = [], 0
    for f in found:
        parts += [text[last : f.start], PLACEHOLDERS[f.kind]]
        last = f.end
    parts.append(text[last:])
    return Redaction("".join(parts), found)


# The words naming a phone number or e-mail address just before it ("sđt [số điện thoại]") are
# part of the personal data, not of the question, so the search skips them too. An ID card's
# name stays: "CCCD [số CCCD] cấp lại ở đâu" is often a question about the card itself.
LABEL_RE = re.compile(
    r"(?:\b(?:sđt|sdt|số\s+điện\s+thoại|so\s+dien\s+thoai|điện\s+thoại|dien\s+thoai|đt|dt|e-?mail)"
    r"(?:\s+(?:của\s+|cua\s+)?(?:tôi|toi|em|mình|minh))?(?:\s+(?:là|la))?\s*[:=]?\s*)"
    rf"(?=(?:{PLACEHOLDER_RE.pattern}))",
    re.IGNORECASE,
)


def without_placeholders(text: str) -> str:
    """The text the search reads: placeholders (and the words naming them) removed, so they
    never become search terms."""
    return " ".join(PLACEHOLDER_RE.sub(" ", LABEL_RE.sub(" ", text)).split())
