"""Vietnamese text pipeline: one function turns passages and questions into BM25 terms."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

from underthesea import text_normalize, word_tokenize

WORD_RE = re.compile(r"\w+", re.UNICODE)
# Prefixes keep the feature families apart inside one BM25 vocabulary.
ACCENTED_PREFIX = "~"
WORD_PREFIX = "="
SKIP_PREFIX = "+"
NORMAL_CACHE = 512  # normalised texts kept (questions are read twice, passages never)


class Syllable(NamedTuple):
    """A syllable as written (lower case, accented) and with diacritics folded away."""

    accented: str
    folded: str


class Word(NamedTuple):
    """A word as written, and the syllables it spells out to when it is an abbreviation.

    A chat shorthand form ("ntn") is not a Word: its spelled-out syllables each are one."""

    syllable: Syllable
    expansion: tuple[Syllable, ...]


@dataclass(frozen=True)
class Features:
    """Which term families the pipeline emits; chosen by measurement on the dev set (ALQAC).

    Unigrams drop stop words; n-grams run over every syllable, stop words included, since
    "bên nhận cầm cố" vs "bên cầm cố" hinges on them. Skip bigrams pair neighbouring content
    syllables across stop words ("quyền của bên" → quyen+ben). Segmented words cost ~2 ms a
    question in word_tokenize and did not raise MRR@10, so they stay off.
    """

    folded_bigrams: bool = True
    skip_bigrams: bool = True
    folded_trigrams: bool = True
    accented_syllables: bool = True
    segmented_words: bool = False
    drop_stopwords: bool = True
    # Chat shorthand ("ko", "dc", "ntn") is replaced by its words: the form means nothing itself.
    shorthand: Literal["replace", "add", "off"] = "replace"


def _fold_table() -> dict[int, int | None]:
    """Latin letters with diacritics → their base letter; lone combining marks → nothing."""
    table: dict[int, int | None] = {cp: None for cp in range(0x300, 0x370)}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        bare = "".join(
            c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c)
        )
        if len(bare) == 1 and bare != chr(cp):
            table[cp] = ord(bare)
    table[ord("đ")], table[ord("Đ")] = ord("d"), ord("D")
    return table


FOLD_TABLE = _fold_table()


def well_formed(text: str) -> str:
    """`text` with every lone UTF-16 surrogate replaced by U+FFFD (a pair becomes its character).

    Telegram's JSON may carry escaped halves of an emoji (`\\ud83d` alone); Python reads them
    as lone surrogates, which UTF-8 and UTF-16 encoders (SQLite, HTTP) refuse.
    """
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def composed(text: str) -> str:
    """`well_formed`, then composed (NFC): some keyboards send "ễ" as "e" and two combining
    marks, which no pattern over the text would read as the letter."""
    return unicodedata.normalize("NFC", well_formed(text))


def fold_text(text: str) -> str:
    """Strip Vietnamese diacritics, đ→d included, at C speed: 'Đăng ký' → 'Dang ky'."""
    return text.translate(FOLD_TABLE)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """`fold_text` for one word, cached: the pipeline folds the same words over and over."""
    return fold_text(word)


def has_diacritics(text: str) -> bool:
    """True when the writer typed at least one Vietnamese diacritic."""
    return fold(text) != text


def typed_diacritics(text: str) -> bool:
    """Whether the writer's own words carry diacritics (abbreviation expansions don't count)."""
    return any(has_diacritics(word) for word in WORD_RE.findall(text))


def ngrams(words: list[str], n: int, prefix: str = "") -> list[str]:
    """Runs of n neighbouring words joined by '_': ngrams(['a', 'b', 'c'], 2) → ['a_b', 'b_c']."""
    return [prefix + "_".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def data_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of a shipped data file."""
    text = resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def table_lines(name: str, extra: Path | None = None) -> list[str]:
    """The KEY<TAB>value lines of a shipped table, then an editor's optional file's (so theirs
    win where a key repeats)."""
    lines = data_lines(name)
    if extra is not None and extra.is_file():
        lines += [ln.strip() for ln in extra.read_text(encoding="utf-8").splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#") and "\t" in ln]


def _load_table(name: str, extra: Path | None) -> dict[str, str]:
    """FORM<TAB>words lines of a shipped table plus an editor's optional file (theirs win)."""
    table: dict[str, str] = {}
    for line in table_lines(name, extra):
        short, expansion = line.split("\t", 1)
        table[unicodedata.normalize("NFC", short.strip())] = expansion.strip()
    return table


def load_abbreviations(extra: Path | None = None) -> dict[str, str]:
    """Abbreviation → expansion, from the shipped table plus an editor's optional file."""
    return _load_table("abbreviations.tsv", extra)


def load_shorthand(extra: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Chat shorthand, lower case → the syllables it stands for ("ntn" → như, thế, nào)."""
    table = _load_table("shorthand_vi.tsv", extra)
    return {
        form.lower(): tuple(unicodedata.normalize("NFC", words.lower()).split())
        for form, words in table.items()
        if form and words.split()
    }


def load_stopwords() -> frozenset[str]:
    """The shipped stop-word list, every entry as its syllables."""
    return frozenset(syl for line in data_lines("stopwords_vi.txt") for syl in line.lower().split())


class TextPipeline:
    """Normalises, spells out shorthand and abbreviations, emits BM25 terms, alike for all text."""

    def __init__(
        self,
        features: Features | None = None,
        abbreviations_file: Path | None = None,
        shorthand_file: Path | None = None,
    ):
        self.features = features or Features()
        self.abbreviations_file = abbreviations_file
        self.shorthand_file = shorthand_file
        self.stopwords = load_stopwords()
        self.folded_stopwords = frozenset(fold(w) for w in self.stopwords)
        table = load_abbreviations(abbreviations_file)
        self._abbrev_exact = {k: v for k, v in table.items() if len(k) <= 2}
        self._abbrev_any = {k.lower(): v for k, v in table.items() if len(k) > 2}
        self._abbrev_folded = {fold(k.lower()): fold(v.lower()).split() for k, v in table.items()}
        shorthand = load_shorthand(shorthand_file) if self.features.shorthand != "off" else {}
        # An administrative abbreviation is deliberate: it wins over a shorthand of the same form.
        self.shorthand = {k: v for k, v in shorthand.items() if not self._is_abbreviation(k)}
        self.fingerprint = self._fingerprint(table)
        # A question is read twice (terms, then the answer's word matching): parse it once.
        self._words_of = lru_cache(maxsize=256)(self._split_words)
        # The question kinds and the syllables both read the normalised question: once is enough.
        self._normal: dict[str, str] = {}

    def _fingerprint(self, table: dict[str, str]) -> str:
        """Changes whenever the terms this pipeline emits could change; stored with the index."""
        digest = hashlib.sha256(repr((self.features, sorted(table.items()))).encode())
        digest.update(repr(sorted(self.stopwords)).encode())
        digest.update(repr(sorted(self.shorthand.items())).encode())
        return digest.hexdigest()[:16]

    def _normalize(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        return text_normalize(text) if text.strip() else text

    def expand(self, word: str) -> str | None:
        """The expansion of an administrative abbreviation, if `word` is one."""
        if word in self._abbrev_exact:
            return self._abbrev_exact[word]
        return self._abbrev_any.get(word.lower())

    def _is_abbreviation(self, lowered: str) -> bool:
        return lowered in self._abbrev_any or any(k.lower() == lowered for k in self._abbrev_exact)

    def spell_out(self, word: str) -> tuple[str, ...] | None:
        """The syllables a chat shorthand stands for ("ko" → không), any letter case."""
        return self.shorthand.get(word.lower())

    def normalize(self, text: str) -> str:
        """NFC plus underthesea's tone placement (hoà → hòa); keeps case and punctuation."""
        done = self._normal.get(text)
        if done is None:
            done = self._normalize(text)
            self.remember_normal(text, done)
        return done

    def remember_normal(self, text: str, normal: str | None = None) -> None:
        """Note that `text` normalises to `normal` (itself by default): words already normalised
        and joined again (the question without its question words) need no second pass."""
        if len(self._normal) >= NORMAL_CACHE:
            self._normal.clear()  # a few hundred recent questions: no order to keep, thread-safe
        self._normal[text] = text if normal is None else normal

    def typed_diacritics(self, text: str) -> bool:
        """`typed_diacritics`, with shorthand forms ("đc", "sđt") not counting as accents typed."""
        return any(
            has_diacritics(w) for w in WORD_RE.findall(text) if w.lower() not in self.shorthand
        )

    def syllables(self, text: str) -> list[Syllable]:
        """Lower-cased syllables, shorthand spelled out, abbreviations followed by expansions."""
        out: list[Syllable] = []
        for word in self._words_of(text):
            out.append(word.syllable)
            out.extend(word.expansion)
        return out

    def words(self, text: str) -> tuple[Word, ...]:
        """The text's words, each with its abbreviation's spelled-out syllables (if any)."""
        return self._words_of(text)

    def _split_words(self, text: str) -> tuple[Word, ...]:
        out: list[Word] = []
        replace = self.features.shorthand == "replace"
        for word in WORD_RE.findall(self.normalize(text)):
            lowered = word.lower()
            short = self.shorthand.get(lowered)
            if short and replace:
                out.extend(Word(Syllable(s, fold(s)), ()) for s in short)
                continue
            expansion = short or (self.expand(word) or "").lower().split()
            spelled = tuple(Syllable(s, fold(s)) for s in expansion)
            out.append(Word(Syllable(lowered, fold(lowered)), spelled))
        return tuple(out)

    def folded_words(self, text: str) -> list[str]:
        """Lower-case, accent-free words, shorthand and abbreviations spelled out, for matching."""
        out: list[str] = []
        replace = self.features.shorthand == "replace"
        for typed in WORD_RE.findall(unicodedata.normalize("NFC", text.lower())):
            word, short = fold(typed), self.shorthand.get(typed)
            if short:
                out.extend(([] if replace else [word]) + [fold(s) for s in short])
            else:
                out.append(word)
                out.extend(self._abbrev_folded.get(word, ()))
        return out

    def is_stopword(self, syllable: Syllable, accented: bool) -> bool:
        """Stop words are matched on the form the writer used."""
        if accented:
            return syllable.accented in self.stopwords
        return syllable.folded in self.folded_stopwords

    def terms(self, text: str) -> list[str]:
        """BM25 terms of `text`: the single entry point for passages and questions."""
        f = self.features
        syllables = self.syllables(text)
        accented = self.typed_diacritics(text)
        content = [s for s in syllables if not self.is_stopword(s, accented)]
        kept = content if f.drop_stopwords else syllables
        folded = [s.folded for s in syllables]
        terms = [s.folded for s in kept]
        if f.folded_bigrams:
            terms += ngrams(folded, 2)
        if f.skip_bigrams:
            # Folded stop words on both sides, so an unaccented question's pairs stay a subset.
            bare = [s.folded for s in syllables if s.folded not in self.folded_stopwords]
            terms += ngrams(bare, 2, SKIP_PREFIX)
        if f.folded_trigrams:
            terms += ngrams(folded, 3)
        if accented and f.accented_syllables:
            terms += [ACCENTED_PREFIX + s.accented for s in kept]
        if f.segmented_words:
            terms += self.segmented_words(text)
        return terms

    def segmented_words(self, text: str) -> list[str]:
        """underthesea's multi-syllable words, folded, as extra terms."""
        words = word_tokenize(self.normalize(text))
        return [
            WORD_PREFIX + "_".join(fold(w.lower()).split())
            for w in words
            if " " in w and WORD_RE.search(w)
        ]

    def content_words(self, text: str) -> list[Syllable]:
        """The question's syllables that carry meaning (no stop words), for coverage checks."""
        syllables = self.syllables(text)
        accented = self.typed_diacritics(text)
        return [s for s in syllables if not self.is_stopword(s, accented)]
