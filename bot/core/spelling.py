"""Typing slips read as the word meant, when the knowledge base does not hold the word typed.

Two kinds of slip, both only in a word that is **not** a possible Vietnamese syllable, so a real
word is never turned into another ("thuong" is never read as "thong"):
- a doubled letter ("quyenn", "chieuu"): the word without it, if the knowledge base has it;
- one key wrong, missing, extra or swapped ("thnah lap", "chinj quyen"): the syllable of the
  knowledge base at that distance that is clearly the most frequent such, and only when it forms
  a word pair of the knowledge base with a neighbouring content word — foreign words ("flan",
  "shop") are one key from syllables too, but seldom beside a word they would pair with.
Loanwords that chats use ("app", "online", "zalo", `bot/data/not_slips.txt`) are never slips.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from bot.core.text import WORD_RE, data_lines, fold, load_stopwords

DOUBLED_RE = re.compile(r"(\w)\1+")
MIN_DOC_FREQ = 1  # a doubled letter is a safe reading: the word meant need only be there
MIN_EDIT_FREQ = 2  # one edit can reach many syllables: the word meant must occur more than once
EDIT_DOMINANCE = 3  # ... and this many times more common than the next syllable that close
MIN_EDIT_LENGTH = 3  # "ac", "uo": too short to tell a slip from an abbreviation or a name
LETTERS = "abcdefghijklmnopqrstuvwxyz"

# Folded Vietnamese syllables: onset, vowels, final consonant. Permissive on purpose: a typo it
# accepts is only left alone, a real syllable it refused could be "corrected". "oo" only as in
# "xoong", "quần soóc".
NUCLEI = (
    "uya|uye|uyu|uoi|uou|oai|oay|oao|oeo|ieu|yeu|uay|uai"
    "|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y"
)
SYLLABLE_RE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    rf"(?:(?:{NUCLEI})(?:ch|ng|nh|[ckmnpt])?|oo(?:ng|c))"
)


class Correction(NamedTuple):
    typed: str
    read_as: str


@lru_cache(maxsize=1)
def not_slips() -> frozenset[str]:
    """Words that are not Vietnamese syllables but mean what they say in a chat."""
    return frozenset(fold(line.lower()) for line in data_lines("not_slips.txt"))


@lru_cache(maxsize=1)
def _folded_stopwords() -> frozenset[str]:
    return frozenset(fold(w) for w in load_stopwords())


def is_syllable(folded: str) -> bool:
    """Whether a folded, lower-case word could be a Vietnamese syllable."""
    return SYLLABLE_RE.fullmatch(folded) is not None


def corrections(
    text: str, doc_freq: Callable[[str], int], reserved: Callable[[str], bool] = lambda _: False
) -> tuple[Correction, ...]:
    """The words of `text` to read differently (each once, in order).

    `reserved` tells the words the text pipeline reads itself (shorthand, abbreviations).
    """
    found: dict[str, Correction] = {}
    words = WORD_RE.findall(text)
    folded_words = [fold(w.lower()) for w in words]
    shouted = text.isupper()
    for i, word in enumerate(words):
        lowered, folded = word.lower(), folded_words[i]
        if folded in found or not _may_be_slip(lowered, folded, doc_freq, reserved):
            continue
        if word.isupper() and not shouted:
            continue  # "SSN", "BHXH" in a sentence typed in lower case: an acronym, not a slip
        pairs = (folded_words[i - 1 : i], folded_words[i + 1 : i + 2])
        fix = _doubled(word, folded, doc_freq) or _one_edit(word, folded, pairs, doc_freq)
        if fix:
            found[folded] = fix
    return tuple(found.values())


def _may_be_slip(
    lowered: str, folded: str, doc_freq: Callable[[str], int], reserved: Callable[[str], bool]
) -> bool:
    return (
        folded.isascii()
        and folded.isalpha()
        and not is_syllable(folded)
        and doc_freq(folded) == 0
        and folded not in not_slips()
        and not reserved(lowered)
    )


def _doubled(word: str, folded: str, doc_freq: Callable[[str], int]) -> Correction | None:
    # The letter must be doubled as typed: "đưu" folds to "duu" but is no slip.
    if not DOUBLED_RE.search(word.lower()):
        return None
    meant = DOUBLED_RE.sub(r"\1", folded)
    if meant != folded and doc_freq(meant) >= MIN_DOC_FREQ:
        # Shown as typed, accents kept: "quyềnn" is read as "quyền".
        return Correction(word, DOUBLED_RE.sub(r"\1", word.lower()))
    return None


def _one_edit(
    word: str,
    folded: str,
    neighbours: tuple[list[str], list[str]],
    doc_freq: Callable[[str], int],
) -> Correction | None:
    if len(folded) < MIN_EDIT_LENGTH:
        return None
    counts = sorted(((doc_freq(c), c) for c in edits(folded) if is_syllable(c)), reverse=True)
    if not counts or counts[0][0] < MIN_EDIT_FREQ:
        return None
    if len(counts) > 1 and counts[0][0] < EDIT_DOMINANCE * counts[1][0]:
        return None  # two readings about as likely: better not to guess
    meant = counts[0][1]
    # A stop word pairs with almost anything: only a content word confirms the reading.
    before, after = ([w for w in side if w not in _folded_stopwords()] for side in neighbours)
    pairs = [f"{w}_{meant}" for w in before] + [f"{meant}_{w}" for w in after]
    return Correction(word, meant) if any(doc_freq(p) > 0 for p in pairs) else None


def edits(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, substitution or insertion from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaced = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserted = {a + c + b for a, b in splits for c in LETTERS}
    return (deleted | swapped | replaced | inserted) - {word}


def apply(text: str, fixes: tuple[Correction, ...]) -> str:
    """`text` with each slip replaced by the word meant."""
    for fix in fixes:
        text = re.sub(rf"(?<!\w){re.escape(fix.typed)}(?!\w)", fix.read_as, text)
    return text
