"""Small talk ("chào bạn", "cảm ơn", "bạn là ai"…): recognised whole, so it is never searched.

A message is small talk only when the table's phrases and filler words cover every word of it;
one word outside the table ("chào bạn, làm CCCD ở đâu") makes it a question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from bot.core.personal_data import without_placeholders
from bot.core.text import WORD_RE, fold

MAX_WORDS = 12  # longer messages are questions, whatever their words
REPEATS_RE = re.compile(r"(\w)\1+")
# Emoji modifiers, joiners and spaces that ride along on a symbol: "👍🏻", "👍️", "? ?".
MODIFIERS_RE = re.compile("[\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff\\s]")


class Talk(StrEnum):
    """What kind of small talk a message is; the reply opens accordingly."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ABOUT = "about"
    ACK = "ack"
    PING = "ping"


# "ok cảm ơn, tạm biệt" is answered as a goodbye, "chào bạn, bạn là ai" as a greeting.
PRIORITY = (Talk.GOODBYE, Talk.THANKS, Talk.GREETING, Talk.ABOUT, Talk.PING, Talk.ACK)


@dataclass(frozen=True)
class SmallTalk:
    """The kind the reply answers, and every kind found in the message."""

    kind: Talk
    kinds: frozenset[Talk]


class Token:
    """One word as typed: lower case with repeats squeezed, accented and folded."""

    __slots__ = ("accented", "folded", "typed_accents")

    def __init__(self, word: str):
        self.accented = REPEATS_RE.sub(r"\1", word)
        self.folded = fold(self.accented)
        self.typed_accents = self.folded != self.accented

    def matches(self, entry: str) -> bool:
        """Unaccented words match any accents; accented ones only the same accents."""
        return entry == self.accented if self.typed_accents else fold(entry) == self.folded


Phrase = tuple[str, ...]  # squeezed, accented words of a table phrase


@dataclass(frozen=True)
class Table:
    """The shipped table: phrases by folded words, emoji symbols, chat shorthand."""

    phrases: dict[Phrase, list[tuple[Phrase, Talk | None]]]  # None: a filler word
    symbols: dict[str, Talk]
    aliases: dict[str, str]
    longest: int


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


@lru_cache(maxsize=1)
def load_table() -> Table:
    """bot/data/small_talk.tsv, read once."""
    text = resources.files("bot.data").joinpath("small_talk.tsv").read_text(encoding="utf-8")
    phrases: dict[Phrase, list[tuple[Phrase, Talk | None]]] = {}
    symbols: dict[str, Talk] = {}
    aliases: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, phrase, *target = (_normalized(f.strip()) for f in line.split("\t"))
        if kind == "alias":
            aliases[phrase] = target[0]
            continue
        talk = None if kind == "filler" else Talk(kind)
        words = tuple(Token(w).accented for w in WORD_RE.findall(phrase))
        if not words and talk is not None:
            symbols[phrase] = talk
        elif words:
            phrases.setdefault(tuple(fold(w) for w in words), []).append((words, talk))
    return Table(phrases, symbols, aliases, max(map(len, phrases), default=1))


def _kinds_covering(tokens: list[Token], table: Table) -> set[Talk] | None:
    """The kinds of phrases that cover all tokens (empty: fillers only), None if none do."""
    reach: list[set[Talk] | None] = [set()] + [None] * len(tokens)
    for start in range(len(tokens)):
        found = reach[start]
        if found is None:
            continue
        for end in range(start + 1, min(len(tokens), start + table.longest) + 1):
            part = tokens[start:end]
            for words, talk in table.phrases.get(tuple(t.folded for t in part), ()):
                if reach[end] is None and all(t.matches(w) for t, w in zip(part, words)):
                    reach[end] = found | ({talk} if talk else set())
    return reach[-1]


def _result(kinds: set[Talk]) -> SmallTalk:
    kinds = kinds or {Talk.PING}  # "bạn ơi", "ad": someone checking the bot is there
    return SmallTalk(next(k for k in PRIORITY if k in kinds), frozenset(kinds))


def small_talk(text: str) -> SmallTalk | None:
    """What kind of small talk `text` is, or None when it asks (or says) anything else."""
    table = load_table()
    text = _normalized(without_placeholders(text))
    words = WORD_RE.findall(text)
    if not words:  # "👍", "??": symbols only, every one of them in the table
        symbols = MODIFIERS_RE.sub("", text)
        if not symbols or any(s not in table.symbols for s in symbols):
            return None
        return _result({table.symbols[s] for s in symbols})
    if len(words) > MAX_WORDS:
        return None
    kinds = _kinds_covering([Token(table.aliases.get(w, w)) for w in words], table)
    return None if kinds is None else _result(kinds)
