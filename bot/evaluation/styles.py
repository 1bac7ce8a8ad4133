"""How the questions of a dev set are typed for a run: as written, without diacritics, or the way
people type on phones (no diacritics, chat shorthand, some in capitals)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from enum import Enum

from bot.core.text import TextPipeline, fold


class Style(Enum):
    WRITTEN = "có dấu"
    FOLDED = "bỏ dấu"
    CHAT = "như nhắn tin"


def rewriter(style: Style, pipeline: TextPipeline) -> Callable[[str], str]:
    """The function that turns a question as written into `style`."""
    if style is Style.WRITTEN:
        return str
    if style is Style.FOLDED:
        return fold
    return ChatStyle(pipeline)


class ChatStyle:
    """Phone typing: accents dropped, words replaced by the shorthand table's forms, and one
    question in four (a stable choice) in capitals."""

    def __init__(self, pipeline: TextPipeline):
        forms: dict[str, str] = {}
        for form, words in pipeline.shorthand.items():
            # The first listed accent-free form of each meaning is the commonest ("ko", "dc");
            # matched on the accented words, so "vay" (a loan) never becomes "zay" (vậy).
            if form.isascii():
                forms.setdefault(" ".join(words), form)
        self.forms = forms
        longest_first = sorted(forms, key=lambda w: (-len(w.split()), w))
        alternatives = "|".join(re.escape(w) for w in longest_first)
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        typed = fold(self.pattern.sub(lambda m: self.forms[m.group(0).lower()], text))
        shouted = hashlib.sha256(text.encode("utf-8")).digest()[0] % 4 == 0
        return typed.upper() if shouted else typed
