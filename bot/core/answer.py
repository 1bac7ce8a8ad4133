"""Turn retrieved passages into an answer: short summary, marked words, citations."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from bot.core.confidence import Evidence
from bot.core.framing import without_framing
from bot.core.models import Hit
from bot.core.personal_data import PLACEHOLDER_RE, Kind, redact, without_placeholders
from bot.core.question_kinds import KindReader, Reading
from bot.core.sentences import question_parts, split_sentences
from bot.core.small_talk import small_talk
from bot.core.spelling import Correction, apply
from bot.core.text import WORD_RE, TextPipeline, Word, composed, fold

SUMMARY_MAX_WORDS = 70
# Pasted HTML: the tag names ("b", "script") are not part of the question.
TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")


class Outcome(StrEnum):
    """Why an answer looks the way it does; front ends pick their wording from it."""

    ANSWERED = "answered"
    NOT_FOUND = "not_found"
    EMPTY = "empty"
    NO_WORDS = "no_words"
    SMALL_TALK = "small_talk"  # "chào bạn", "cảm ơn", "bạn là ai": a friendly reply, no search


@dataclass(frozen=True)
class Question:
    """The question as stored (personal data replaced), after trimming and length limits."""

    text: str
    truncated: bool = False
    personal: tuple[Kind, ...] = ()  # kinds of personal data that were replaced
    spelling: tuple[Correction, ...] = ()  # typing slips read as the word meant
    context: str = ""  # an earlier question's words a follow-up leaves out, searched after it
    asked: Reading | None = None  # what it asks for; set by the engine once slips are read

    def reading(self, asked: Reading) -> Question:
        """This question with what it asks for read; what its text gives is not read again."""
        read = dataclasses.replace(self, asked=asked)
        for name in ("_own", "parts"):  # they depend on the text and its typing slips only
            if name in self.__dict__:
                read.__dict__[name] = self.__dict__[name]
        return read

    @cached_property
    def _own(self) -> str:
        """The text without its placeholders and its framing, typing slips read as meant."""
        return apply(without_framing(without_placeholders(self.text)), self.spelling)

    @cached_property
    def parts(self) -> list[str]:
        """The message's sentences, read as the search reads it; [] for one sentence."""
        return question_parts(self._own)

    @cached_property
    def searched(self) -> str:
        """What the search reads: the text without its placeholders and its framing, typing
        slips read as the words meant, without the words that only ask ("ở đâu"), then the
        context words of a follow-up (already in the engine's reading, once it is set)."""
        if self.asked is not None:
            return self.asked.searched
        return f"{self._own} {self.context}" if self.context else self._own


SUGGESTED = 3  # titles a "not found" offers at most (and its buttons are numbered in)


@dataclass(frozen=True)
class Answer:
    """Everything a front end needs to write a reply."""

    question: str
    outcome: Outcome
    hits: tuple[Hit, ...] = ()
    summary: str = ""
    marks: tuple[tuple[int, int], ...] = ()
    truncated: bool = False
    coverage: float = 0.0
    confidence: float = 0.0  # how sure the bot is that the top passage answers (0-1)
    evidence: Evidence | None = None  # what the confidence was computed from
    further: tuple[int, ...] = ()  # passage ids after the hits, for paging
    personal: tuple[Kind, ...] = ()  # personal data replaced in the question
    spelling: tuple[Correction, ...] = ()  # words of the question read differently
    understood: str | None = None  # how a follow-up was read: "Về: Cấp thẻ căn cước — lệ phí"
    follows: str | None = None  # the earlier question a follow-up was read against
    offered: tuple[str, ...] = ()  # a "not found"'s nearest titles that came close, nearest first
    unclear: bool = False  # the question names no topic ("nộp ở đâu?"): asked back, not answered
    unsure: bool = False  # answered, but below BOT_SURE_CONFIDENCE: the reply says so

    @property
    def answered(self) -> bool:
        return self.outcome is Outcome.ANSWERED

    @property
    def top_score(self) -> float | None:
        return self.hits[0].score if self.hits else None

    @property
    def about(self) -> str | None:
        """The FAQ question the answer comes from, when it comes from an FAQ pair."""
        return self.hits[0].question if self.answered and self.hits else None


def prepare_question(raw: str, max_chars: int) -> Question:
    """Compose the text (NFC), drop markup tags, collapse whitespace, replace personal data, cut
    an over-long question."""
    redaction = redact(" ".join(TAG_RE.sub(" ", composed(raw)).split()))
    text, personal = redaction.text, redaction.kinds
    if len(text) <= max_chars:
        return Question(text, personal=personal)
    return Question(_cut(text, max_chars), truncated=True, personal=personal)


def _cut(text: str, max_chars: int) -> str:
    """`text` cut at a word boundary before `max_chars`, never inside a placeholder."""
    for placeholder in PLACEHOLDER_RE.finditer(text):
        if placeholder.start() < max_chars < placeholder.end():
            max_chars = placeholder.start()
    return text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]


def question_problem(question: Question) -> Outcome | None:
    """EMPTY, SMALL_TALK or NO_WORDS when there is nothing to search (placeholders do not count)."""
    if not question.text:
        return Outcome.EMPTY
    if small_talk(question.searched) is not None:
        return Outcome.SMALL_TALK
    if not WORD_RE.search(question.searched.replace("_", "")):
        return Outcome.NO_WORDS
    return None


Unit = tuple[str, ...]  # accent-free spellings of one question word: "cccd", "can cuoc cong dan"


class Matcher:
    """The question's content words, compared accent-sensitively only if the user typed accents."""

    def __init__(self, pipeline: TextPipeline, question: str):
        self.pipeline = pipeline
        self.accented = pipeline.typed_diacritics(question)
        words = pipeline.words(question)
        self.words = {
            self._key(s.accented)
            for w in words
            for s in (w.syllable, *w.expansion)
            if not pipeline.is_stopword(s, self.accented)
        }
        units = [self._unit(w) for w in words]
        self.units = list(dict.fromkeys(u for u in units if u))
        # Adjacent content words: a phrase match is stronger evidence than scattered words.
        self.pairs = list(dict.fromkeys((a, b) for a, b in itertools.pairwise(units) if a and b))

    def _unit(self, word: Word) -> Unit | None:
        """An abbreviation counts once, found as itself or spelled out; stop words not at all."""
        if word.expansion:
            return (word.syllable.folded, " ".join(s.folded for s in word.expansion))
        if self.pipeline.is_stopword(word.syllable, self.accented):
            return None
        return (word.syllable.folded,)

    def _key(self, word: str) -> str:
        word = word.lower()
        return word if self.accented else fold(word)

    def matches(self, word: str) -> bool:
        return self._key(word) in self.words

    def coverage(self, text: str) -> float:
        """Share of the question's content words and word pairs found in `text`, accents ignored.

        An abbreviation's spelled-out syllables are one unit: "CCCD" is covered by "CCCD" or by
        "căn cước công dân", never by a passing "công dân" alone.
        """
        if not self.units:
            return 0.0
        # Read the text as the index does: its abbreviations count as their spelled-out words.
        found = f" {' '.join(self.pipeline.folded_words(text))} "
        hits = sum(any(f" {alt} " in found for alt in unit) for unit in self.units)
        hits += sum(
            any(f" {a} {b} " in found for a in first for b in second)
            for first, second in self.pairs
        )
        return hits / (len(self.units) + len(self.pairs))

    def count(self, text: str) -> int:
        return len({self._key(w) for w in WORD_RE.findall(text)} & self.words)

    def marks(self, text: str) -> tuple[tuple[int, int], ...]:
        """Character spans of matched words, neighbours merged into one phrase."""
        spans: list[tuple[int, int]] = []
        for m in WORD_RE.finditer(text):
            if not self.matches(m.group()):
                continue
            if spans and text[spans[-1][1] : m.start()].strip() == "":
                spans[-1] = (spans[-1][0], m.end())
            else:
                spans.append((m.start(), m.end()))
        return tuple(spans)


Strength = Callable[[str], int]  # a sentence → how many signs it carries of the asked answer


def summarize(matcher: Matcher, passage: str, strength: Strength | None = None) -> str:
    """The passage's best sentence, plus the runner-up when it also answers, in reading order.

    Among sentences that share the question's words, one that gives the kind of answer asked
    for ("ở đâu" → a place) comes first.
    """
    sentences = split_sentences(passage) or [passage]
    counts = [matcher.count(s) for s in sentences]
    gives = [bool(strength and counts[i] and strength(s)) for i, s in enumerate(sentences)]
    ranked = sorted(range(len(sentences)), key=lambda i: (-gives[i], -counts[i], i))
    best = ranked[0]
    chosen = [best]
    if len(ranked) > 1:
        second = ranked[1]
        words = len(sentences[best].split()) + len(sentences[second].split())
        if counts[second] > 0 and words <= SUMMARY_MAX_WORDS:
            chosen.append(second)
    return " ".join(sentences[i] for i in sorted(chosen))


def lead(passage: str) -> str:
    """The passage's first sentences, up to SUMMARY_MAX_WORDS (at least one sentence).

    An FAQ answer is written for its question: it reads best from its start.
    """
    sentences = split_sentences(passage) or [passage]
    chosen = sentences[:1]
    for sentence in sentences[1:]:
        if len(" ".join([*chosen, sentence]).split()) > SUMMARY_MAX_WORDS:
            break
        chosen.append(sentence)
    return " ".join(chosen)


Judge = Callable[[float, Hit], tuple[float, Evidence | None]]  # coverage, top → confidence


def compose(
    pipeline: TextPipeline,
    question: Question,
    hits: list[Hit],
    judge: Judge,
    min_confidence: float,
    kinds: KindReader | None = None,
    unclear: bool = False,
    matcher: Matcher | None = None,
) -> Answer:
    """Answered only when the judge is at least `min_confidence` sure the top passage answers;
    what the question asks for (`question.asked`, read by `kinds`) steers the short answer.
    An `unclear` question (it names no topic) is never answered: no passage can be sure of it."""
    matcher = Matcher(pipeline, question.searched) if matcher is None else matcher
    coverage, confidence, evidence = _judged(matcher, hits, judge)
    confidence = 0.0 if unclear else confidence
    answered = bool(hits) and confidence >= min_confidence
    summary = _summary(matcher, question, hits[0], kinds) if answered else ""
    return Answer(
        question.text,
        Outcome.ANSWERED if answered else Outcome.NOT_FOUND,
        tuple(hits),
        summary,
        matcher.marks(summary) if answered else (),
        question.truncated,
        coverage,
        confidence,
        evidence,
        personal=question.personal,
        spelling=question.spelling,
        unclear=unclear,
    )


def _judged(
    matcher: Matcher, hits: list[Hit], judge: Judge
) -> tuple[float, float, Evidence | None]:
    """The top passage's coverage, and the judge's confidence and evidence (none without hits)."""
    if not hits:
        return 0.0, 0.0, None
    # Coverage reads what the index read: title, the FAQ question if any, and the text.
    top = hits[0]
    coverage = matcher.coverage(" ".join([top.citation.title, top.question or "", top.text]))
    return (coverage, *judge(coverage, top))


def _summary(matcher: Matcher, question: Question, top: Hit, kinds: KindReader | None) -> str:
    """The short answer: an FAQ answer's lead, else the sentences that answer what was asked."""
    if top.question:
        return lead(top.text)
    asked = question.asked.kinds if question.asked else ()
    strength = (lambda text: kinds.evidence(asked, text)) if kinds and asked else None
    return summarize(matcher, top.text, strength)
