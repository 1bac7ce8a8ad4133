"""Typing slips read as the word meant: a doubled letter ("quyenn", "soo", "chieuu") in a word the
knowledge base does not hold, when the word without it is one it holds often.

Only doubled letters are read this way: Vietnamese syllables almost never double a letter, so the
reading cannot turn one real word into another ("thuong" is never read as "thong").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from bot.core.text import WORD_RE, fold

DOUBLED_RE = re.compile(r"(\w)\1+")
MIN_DOC_FREQ = 1  # doubled letters are safe to read: the word meant need only be there


class Correction(NamedTuple):
    typed: str
    read_as: str


def corrections(text: str, doc_freq: Callable[[str], int]) -> tuple[Correction, ...]:
    """The words of `text` to read differently (each once, in order)."""
    found: dict[str, Correction] = {}
    for word in WORD_RE.findall(text):
        folded = fold(word.lower())
        # The letter must be doubled as typed: "đưu" folds to "duu" but is no slip.
        if folded in found or not DOUBLED_RE.search(word.lower()) or doc_freq(folded) > 0:
            continue
        meant = DOUBLED_RE.sub(r"\1", folded)
        if meant != folded and meant.isalpha() and doc_freq(meant) >= MIN_DOC_FREQ:
            # Shown as typed, accents kept: "quyềnn" is read as "quyền".
            found[folded] = Correction(word, DOUBLED_RE.sub(r"\1", word.lower()))
    return tuple(found.values())


def apply(text: str, fixes: tuple[Correction, ...]) -> str:
    """`text` with each slip replaced by the word meant."""
    for fix in fixes:
        text = re.sub(rf"(?<!\w){re.escape(fix.typed)}(?!\w)", fix.read_as, text)
    return text
