"""Group questions asked in different words: the editors' view of what people keep asking."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.core.personal_data import without_placeholders
from bot.core.text import TextPipeline, fold_text

# Share of content words two wordings must have in common (Jaccard) to count as one question.
SIMILAR = 0.5
EXAMPLES = 3


@dataclass(frozen=True)
class QuestionGroup:
    """Questions asked in similar words: the most frequent wording, how many, other wordings."""

    wording: str
    count: int
    examples: tuple[str, ...]
    near_misses: int = 0  # how many of the `count` questions were near misses (see reports)


@dataclass
class _Cluster:
    words: frozenset[str]
    members: list[tuple[str, int]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(n for _, n in self.members)


def content_key(pipeline: TextPipeline, text: str) -> frozenset[str]:
    """Accent-free content words (abbreviations spelled out, placeholders such as "[số CCCD]"
    left out); the folded text if none are left."""
    searched = without_placeholders(text)
    words = frozenset(
        w for w in pipeline.folded_words(searched) if w not in pipeline.folded_stopwords
    )
    return words or frozenset({" ".join(fold_text(text.lower()).split())})


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _wordings(questions: Iterable[str | None]) -> Counter[str]:
    return Counter(" ".join(q.split()) for q in questions if q and q.strip())


def group_wordings(
    pipeline: TextPipeline,
    questions: Iterable[str | None],
    near_misses: Iterable[str | None] = (),
) -> list[QuestionGroup]:
    """Cluster questions by content-word overlap, biggest group first; `near_misses` (some of
    the same questions) are counted per group."""
    wordings, near = _wordings(questions), _wordings(near_misses)
    clusters: list[_Cluster] = []
    by_word: dict[str, list[int]] = defaultdict(list)  # only clusters sharing a word can match
    # Most frequent wordings first, so each cluster is anchored on what people type most.
    for wording, count in sorted(wordings.items(), key=lambda item: (-item[1], item[0])):
        words = content_key(pipeline, wording)
        candidates = sorted({i for w in words for i in by_word[w]})
        match = next((i for i in candidates if jaccard(clusters[i].words, words) >= SIMILAR), None)
        if match is None:
            match = len(clusters)
            clusters.append(_Cluster(words))
            for w in words:
                by_word[w].append(match)
        clusters[match].members.append((wording, count))
    ranked = sorted(clusters, key=lambda c: -c.count)  # stable: ties keep first-seen order
    return [
        QuestionGroup(
            c.members[0][0],
            c.count,
            tuple(w for w, _ in c.members[1 : 1 + EXAMPLES]),
            sum(near[w] for w, _ in c.members),
        )
        for c in ranked
    ]
