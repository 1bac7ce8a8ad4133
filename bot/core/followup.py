"""Follow-up questions: a message read in the context of the question it follows.

"còn lệ phí thì sao?" after "làm thẻ căn cước ở đâu" is asked as "lệ phí … thẻ căn cước": the
new message's words come first and the earlier answer's topic (its article's title, or the
earlier question's content words) fills in what it leaves out. Whether the context is used at
all is decided from both answers (`use_context`, and the engine's article check), so a complete
new question is never mixed with the old one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text import TextPipeline, fold

# Openings and endings that refer back to what was asked before ("còn … thì sao", "thế …").
REFERS_BACK_RE = re.compile(
    r"^(?:con|the con|vay con|the|vay|the thi|vay thi|con neu|neu vay|truong hop do)\b"
    r"|\b(?:thi sao|the nao|ra sao|nua|do|nay|ay|tren)$"
)
# Cue words at either end of a follow-up, left out of what the reply says was asked.
LEADING_CUES = frozenset({"con", "the", "vay", "thi", "neu"})
TRAILING_CUES = frozenset({"thi", "sao", "the", "nao", "ra", "nua", "do", "nay", "ay"})
# A message this short (content words) cannot usually stand on its own.
SHORT_WORDS = 4


@dataclass(frozen=True)
class Context:
    """What a follow-up is read against: the earlier question and what its answer was about."""

    question: str  # the earlier question as searched (personal data and framing already out)
    topic: str | None = None  # the title of the article its answer came from


@dataclass(frozen=True)
class FollowUp:
    """The earlier question's words a follow-up leaves out, and the line saying how it was read."""

    words: str
    understood: str  # "Về: Cấp thẻ căn cước — lệ phí"


def context_of(question: str, follows: str | None, topic: str | None) -> Context:
    """The context an answer leaves for the next message: its question (or, for a follow-up,
    the question that one followed) and the article it came from."""
    return Context(follows or question, topic)


def refers_back(text: str) -> bool:
    """Whether the message opens or ends the way a follow-up does ("còn … thì sao?")."""
    words = " ".join(re.findall(r"\w+", fold(text.lower())))
    return REFERS_BACK_RE.search(words) is not None


def is_short(pipeline: TextPipeline, text: str) -> bool:
    return len(pipeline.content_words(text)) <= SHORT_WORDS


def follow_up(
    pipeline: TextPipeline, searched: str, context: Context, topic_words: str | None = None
) -> FollowUp | None:
    """The message with the earlier question's missing content words added; None if none are.

    `topic_words` is what the earlier question was about (its answer's title, or the question
    without what it asked, "mất bao lâu"): the follow-up asks its own thing about that topic.
    """
    present = {s.folded for s in pipeline.content_words(searched)}
    missing: list[str] = []
    for syllable in pipeline.content_words(topic_words or context.question):
        if syllable.folded not in present:
            present.add(syllable.folded)
            missing.append(syllable.accented)
    if not missing:
        return None
    own = _without_cues(re.findall(r"\w+", searched)) or searched.strip()
    topic = context.topic or " ".join(missing)
    return FollowUp(" ".join(missing), f"Về: {topic} — {own}")


def _without_cues(words: list[str]) -> str:
    """'còn lệ phí thì sao' → 'lệ phí': what was asked, without how it referred back."""
    while words and fold(words[0].lower()) in LEADING_CUES:
        words = words[1:]
    while words and fold(words[-1].lower()) in TRAILING_CUES:
        words = words[:-1]
    return " ".join(words)


def use_context(
    alone_confidence: float, joined_confidence: float, cannot_stand: bool, min_confidence: float
) -> bool:
    """Read with the context when that is answered, and the message alone either is not, or
    cannot stand on its own (it is short or refers back)."""
    if joined_confidence < min_confidence:
        return False
    return alone_confidence < min_confidence or cannot_stand
