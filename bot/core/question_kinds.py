"""What a question asks for — a place, a duration, an amount, documents, who, steps, yes or no —
and which sentences give that kind of answer, from the cue table bot/data/question_kinds.tsv."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np

from bot.core.index import BM25Index, ScoredDoc, lookup_table
from bot.core.text import WORD_RE, TextPipeline, fold, fold_text

# A number in a phrase ("#"): digits, or a Vietnamese number word ("ba ngày", "mười lăm ngày").
NUMBER = r"(?:\d+|một|hai|ba|bốn|tư|năm|lăm|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|ngàn|triệu|tỷ|tỉ)"
GAP = r"(?: \S+){0,6}"  # "…": up to six words between
# Two list items or more ("a) …; b) …", "1. … 2. …", "- …"): documents and steps are listed.
LIST_RE = re.compile(r"(?:(?:^|\s)(?:\d{1,2}[.)]|[a-zđ]\)|[-•+])\s.*){2,}|(?:;.*){2,}")


class QuestionKind(StrEnum):
    """What kind of answer a question wants."""

    PLACE = "place"
    DURATION = "duration"
    AMOUNT = "amount"
    DOCUMENTS = "documents"
    WHO = "who"
    STEPS = "steps"
    YESNO = "yesno"
    DEFINITION = "definition"  # what something is, what the law says: no one kind of sentence


LISTED = frozenset({QuestionKind.DOCUMENTS, QuestionKind.STEPS})
# Yes/no and who evidence ("được", "phải", "cơ quan", "trách nhiệm") is in nearly every sentence of
# a law: steering the rank by it cost both dev sets, so these two steer only the short answer.
RANKING_KINDS = frozenset(QuestionKind) - {
    QuestionKind.YESNO,
    QuestionKind.WHO,
    QuestionKind.DEFINITION,
}


def ranking_kinds(kinds: Sequence[QuestionKind]) -> tuple[QuestionKind, ...]:
    """The asked kind whose evidence may reorder close passages: only one. A question that asks
    several things ("hồ sơ gồm gì, lệ phí bao nhiêu, bao lâu") is ranked by its words alone —
    a passage giving two of them from another article must not pass the one that is asked about."""
    ranked = tuple(dict.fromkeys(k for k in kinds if k in RANKING_KINDS))
    return ranked if len(ranked) == 1 else ()


class Phrase(NamedTuple):
    """One table phrase compiled twice: as written, and for text typed without diacritics."""

    kind: QuestionKind
    text: str
    accented: re.Pattern[str]
    folded: re.Pattern[str]
    gapped: bool  # "có … không" spans other words; it never hides a cue inside it
    asks: bool  # a question word ("ở đâu"): the search does not read it, the kind answers it
    word: str  # a word the phrase cannot match without (folded: `word_folded`), to skip it fast
    word_folded: str


class Reading(NamedTuple):
    """What a question asks for, and what the search reads of it."""

    kinds: tuple[QuestionKind, ...]
    searched: str  # the question without the words that only ask ("ở đâu", "bao lâu")


def _pattern(phrase: str, folded: bool) -> re.Pattern[str]:
    parts = []
    for word in phrase.split():
        if word == "…":
            parts.append(GAP)
        elif word == "#":
            parts.append(" " + (fold_text(NUMBER) if folded else NUMBER))
        else:
            parts.append(" " + re.escape(fold(word) if folded else word))
    return re.compile("".join(parts) + "(?= )")


def _compile(kind: str, phrase: str, asks: bool = False) -> Phrase:
    text = " ".join(unicodedata.normalize("NFC", phrase.lower()).split())
    # Every word of a pattern matches a whole word of the spaced text; "" when it has none.
    word = next((w for w in text.split() if w not in ("…", "#")), "")
    accented, folded = _pattern(text, False), _pattern(text, True)
    return Phrase(QuestionKind(kind), text, accented, folded, "…" in text, asks, word, fold(word))


@dataclass(frozen=True)
class KindTable:
    """The cue phrases (read in questions) and evidence phrases (read in sentences)."""

    cues: tuple[Phrase, ...]
    evidence: tuple[Phrase, ...]


def parse_table(lines: Iterable[str]) -> KindTable:
    """KIND<TAB>ask|cue|evidence<TAB>PHRASE lines; comments and blank lines skipped."""
    cues: list[Phrase] = []
    evidence: list[Phrase] = []
    for line in lines:
        fields = line.strip().split("\t")
        if len(fields) != 3 or line.startswith("#"):
            continue
        kind, role, phrase = (f.strip() for f in fields)
        if role == "evidence":
            evidence.append(_compile(kind, phrase))
        else:
            cues.append(_compile(kind, phrase, asks=role == "ask"))
    return KindTable(tuple(cues), tuple(evidence))


@lru_cache(maxsize=1)
def shipped_table() -> KindTable:
    """The table shipped in bot/data."""
    text = resources.files("bot.data").joinpath("question_kinds.tsv").read_text(encoding="utf-8")
    return parse_table(text.splitlines())


def _spaced(words: Iterable[str]) -> str:
    return " " + " ".join(words) + " "


class KindReader:
    """Reads questions for their kinds and sentences for their evidence, as the pipeline reads."""

    def __init__(self, pipeline: TextPipeline, table: KindTable | None = None):
        self.pipeline = pipeline
        self.table = table or shipped_table()
        # The same passages come back question after question: read each one once.
        self.signs = lru_cache(maxsize=8192)(self._signs)

    def kinds(self, question: str) -> tuple[QuestionKind, ...]:
        """The kinds the question asks for, in the order it asks them; () when it does not say."""
        return self.read(question).kinds

    def read(self, question: str) -> Reading:
        """The question's kinds, and its text without the question words that only ask."""
        tokens = WORD_RE.findall(self.pipeline.normalize(question))
        accented = self.pipeline.typed_diacritics(question)
        words: list[str] = []
        owner: list[int] = []  # the typed token each spelled-out syllable comes from
        for i, token in enumerate(tokens):
            for syllable in self.pipeline.spell_out(token) or (token.lower(),):
                words.append(syllable if accented else fold(syllable))
                owner.append(i)
        kept = self._cues(_spaced(words), accented)
        starts = [0]
        for word in words:
            starts.append(starts[-1] + len(word) + 1)
        dropped: set[int] = set()
        for start, end, phrase in kept:
            if phrase.asks:
                first, last = starts.index(start), starts.index(end) - 1
                dropped.update(
                    owner[j] for j in ((first, last) if phrase.gapped else range(first, last + 1))
                )
        kinds = tuple(dict.fromkeys(p.kind for _, _, p in kept))
        rest = " ".join(t for i, t in enumerate(tokens) if i not in dropped)
        if not WORD_RE.search(rest):
            return Reading(kinds, question)
        self.pipeline.remember_normal(rest)  # normalised tokens, joined: the search reads them
        return Reading(kinds, rest)

    def _cues(self, text: str, accented: bool) -> list[tuple[int, int, Phrase]]:
        """The cue phrases found, in reading order; the longest contiguous one wins where
        cues overlap ("mất mấy ngày" is not "mất bao nhiêu")."""
        found: list[tuple[int, int, Phrase]] = []
        words = set(text.split())
        words.add("")
        for phrase in self.table.cues:
            if (phrase.word if accented else phrase.word_folded) not in words:
                continue  # the phrase cannot match: most of the table, for any one question
            pattern = phrase.accented if accented else phrase.folded
            found.extend((m.start(), m.end(), phrase) for m in pattern.finditer(text))
        found.sort(key=lambda f: (f[2].gapped, f[0] - f[1]))
        kept: list[tuple[int, int, Phrase]] = []
        for start, end, phrase in found:
            inside = any(s <= start and end <= e for s, e, p in kept if not p.gapped)
            if phrase.gapped or not inside:
                kept.append((start, end, phrase))
        return sorted(kept, key=lambda f: f[0])

    def evidence(self, kinds: Sequence[QuestionKind], text: str) -> int:
        """How many different signs of the asked kinds' answer `text` carries (0 = none)."""
        signs = self.signs(text) if kinds else {}
        return sum(signs.get(k, 0) for k in kinds)

    def _signs(self, text: str) -> dict[QuestionKind, int]:
        """How many different signs of each kind of answer `text` carries (`signs`, cached)."""
        lowered = unicodedata.normalize("NFC", text.lower())
        accented = fold_text(lowered) != lowered
        words = WORD_RE.findall(lowered)
        spaced = _spaced(words if accented else (fold(w) for w in words))
        counts = dict.fromkeys(QuestionKind, 0)
        for p in self.table.evidence:
            if (p.accented if accented else p.folded).search(spaced):
                counts[p.kind] += 1
        if LIST_RE.search(text):
            for kind in LISTED:
                counts[kind] += 1
        return counts

    def fit(self, kinds: Sequence[QuestionKind], text: str) -> tuple[int, int]:
        """Signs of the asked kinds in `text`, and those minus the signs of other kinds that
        steer the rank: a place paragraph fits "ở đâu" better than steps that name a place."""
        signs = self.signs(text)
        asked = sum(signs[k] for k in kinds)
        others = sum(signs[k] for k in RANKING_KINDS - set(kinds))
        return asked, asked - others


class Steering(NamedTuple):
    """Which passages are close enough to the best one for the kind of answer to decide."""

    margin: float = 0.15  # any passage scoring within this share of the best
    # A passage of the same article holding every content word the best one holds differs from
    # it only in phrasing ("làm hộ chiếu" vs "hộ chiếu"), length and repetition: close within
    # this wider share.
    same_words_margin: float = 0.6
    # ... in a short question only: in a long one, holding the same words is no longer a tie.
    short_question: int = 6  # content syllables at most
    window: int = 20  # how far down the ranking a close passage may come from


def near_ties_first(
    found: list[ScoredDoc],
    fit: Callable[[int], tuple[int, int]],
    same_words: Callable[[int, int], bool],
    steering: Steering,
) -> list[ScoredDoc]:
    """The passages close to the best one, reordered by how well they fit the kind asked
    (`fit`: evidence of it, then evidence of it beyond other kinds); BM25's order otherwise."""
    if len(found) < 2 or found[0].score <= 0:
        return found
    top = found[0]
    near, wide = top.score * (1 - steering.margin), top.score * (1 - steering.same_words_margin)
    group = [top] + [
        d
        for d in found[1 : steering.window]
        if d.score >= near or (d.score >= wide and same_words(d.doc, top.doc))
    ]
    fits = {d.doc: fit(d.doc) for d in group}
    # Stable: without evidence of the kind asked, passages keep BM25's order among themselves.
    ranked = sorted(group, key=lambda d: (-1, -fits[d.doc][1]) if fits[d.doc][0] else (0, 0))
    moved = {d.doc for d in group}
    return ranked + [d for d in found if d.doc not in moved]


def content_words(
    index: BM25Index,
    terms: Sequence[str],
    docs: Sequence[int],
    short: int,
    stopwords: frozenset[str] = frozenset(),
) -> dict[int, frozenset[str]] | None:
    """Which of the question's content syllables (its plain one-word terms) each doc holds;
    None when the question has more than `short` of them. Stop words are given folded, so a
    question counts the same with or without its accents."""
    words = [t for t in dict.fromkeys(terms) if t.isalnum() and t not in stopwords]
    if len(words) > short:
        return None
    words = [t for t in words if t in index.term_ids]
    held: dict[int, set[str]] = {doc: set() for doc in docs}
    targets = np.array(sorted(held), dtype=np.intp)
    if words and len(targets):
        at = lookup_table(index.doc_ids, index.spans(words), targets)
        hit = index.doc_ids[at] == targets
        for row, word in enumerate(words):
            for doc in targets[hit[row]]:
                held[int(doc)].add(word)
    return {doc: frozenset(w) for doc, w in held.items()}


def same_words(
    held: dict[int, frozenset[str]] | None, article_of: np.ndarray
) -> Callable[[int, int], bool]:
    """Whether a doc of the top doc's article holds every content word the top doc holds
    (never, without `held`): which paragraph of one article answers is the kind's to say."""

    def same(doc: int, top: int) -> bool:
        return held is not None and article_of[doc] == article_of[top] and held[doc] >= held[top]

    return same


def steer(
    found: list[ScoredDoc],
    fit: Callable[[int], tuple[int, int]],
    index: BM25Index,
    terms: Sequence[str],
    article_of: np.ndarray,
    steering: Steering,
    stopwords: frozenset[str],
) -> list[ScoredDoc]:
    """`near_ties_first` over the best passages, with the content words their window holds:
    what the bot (and `eval`) does to a ranking once the kind of answer asked for is known."""
    window = [d.doc for d in found[: steering.window]]
    held = content_words(index, terms, window, steering.short_question, stopwords)
    return near_ties_first(found, fit, same_words(held, article_of), steering)
