"""Vietnamese sentence boundaries, shared by passage splitting and answer summaries."""

from __future__ import annotations

import re

SENTENCE_END = (".", "!", "?", "…")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
# Abbreviations that end in "." but rarely end a sentence ("TP. Hải Phòng", "Q. Lê Chân").
_ABBREVIATIONS = frozenset({"tp", "tx", "tt", "q", "p", "ts", "ths", "pgs", "gs", "bs", "ks"})
# Citizens type in lower case and run a story on with ":" and ";": any such mark ends a part.
_QUESTION_PARTS_RE = re.compile(r"(?<=[.?!:;…])\s+")


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph, whitespace-normalised."""
    words = text.split()
    return [" ".join(unit) for unit in sentence_units(words, max(len(words), 1))]


def sentence_units(words: list[str], max_words: int) -> list[list[str]]:
    """Split words into sentences, cutting any sentence longer than max_words."""
    units: list[list[str]] = []
    start = 0
    for i in range(len(words)):
        if i == len(words) - 1 or _ends_sentence(words[i], words[i + 1]):
            sentence = words[start : i + 1]
            units.extend(sentence[j : j + max_words] for j in range(0, len(sentence), max_words))
            start = i + 1
    return units


def _ends_sentence(word: str, next_word: str) -> bool:
    """True when word closes a sentence and next_word opens a new one."""
    core = word.rstrip(_CLOSERS)
    opens = next_word[0] in _OPENERS or next_word[0].isupper()
    if not (core.endswith(SENTENCE_END) and opens):
        return False
    # Only a lone "." can be an abbreviation ("TP.", initials); "!", "?", "…" always end one.
    stem = core.removesuffix(".")
    abbreviation = stem.lower() in _ABBREVIATIONS or (len(stem) == 1 and stem.isupper())
    return core[-1] != "." or not abbreviation


def question_parts(text: str) -> list[str]:
    """The sentences of a message as citizens type them (a story, then the question); [] when it
    is one sentence. A part of one word ("Vậy.", "Hỏi:") joins nothing and is dropped."""
    parts = [p for p in _QUESTION_PARTS_RE.split(text.strip()) if len(p.split()) >= 2]
    return parts if len(parts) > 1 else []
