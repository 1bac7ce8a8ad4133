"""Near misses: recorded questions whose confidence came close to BOT_MIN_CONFIDENCE.

An answered one is an answer the bot was barely sure of (an editor should read it); an
unanswered one is a question the best passage almost answered (its article may lack a sentence).
Rows without a confidence (logged before migration 7, or nothing matched) are never near misses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# How far from the threshold still counts as "close", on either side. Near misses are the
# questions whose outcome moving BOT_MIN_CONFIDENCE by up to this much would change: 0.15 is a
# deliberate tuning step (0.4 → 0.25 or 0.55), well beyond a rounding of the setting, yet narrow
# enough that the section stays a short reading list instead of every question asked.
NEAR_MISS_MARGIN = 0.15
DIGITS = 9  # bounds are rounded so 0.4 + 0.15 is 0.55, not 0.5500000000000001


@dataclass(frozen=True)
class NearMiss:
    """One wording of a near miss: how often it was asked and its confidence nearest the edge."""

    question: str
    answered: bool
    confidence: float  # answered: the lowest of its askings; unanswered: the highest
    count: int = 1


@dataclass(frozen=True)
class Band:
    """The threshold and the margin around it."""

    min_confidence: float
    margin: float = NEAR_MISS_MARGIN

    @property
    def low(self) -> float:
        return round(self.min_confidence - self.margin, DIGITS)

    @property
    def high(self) -> float:
        return round(self.min_confidence + self.margin, DIGITS)

    def near(self, answered: bool, confidence: float | None) -> bool:
        """Answered below threshold + margin, or unanswered at threshold − margin or above."""
        if confidence is None:
            return False
        return confidence < self.high if answered else confidence >= self.low


def collect(
    band: Band, rows: Iterable[tuple[str | None, bool, float | None]]
) -> tuple[NearMiss, ...]:
    """The near misses among (question, answered, confidence) rows, identical wordings merged;
    answered ones least sure first, then unanswered ones closest to answering first."""
    merged: dict[tuple[bool, str], NearMiss] = {}
    for text, answered, confidence in rows:
        wording = " ".join((text or "").split())
        if not wording or confidence is None or not band.near(answered, confidence):
            continue
        seen = merged.get((answered, wording))
        if seen is not None:
            edge = min if answered else max
            confidence = edge(seen.confidence, confidence)
        count = seen.count + 1 if seen else 1
        merged[answered, wording] = NearMiss(wording, answered, confidence, count)
    return tuple(
        sorted(
            merged.values(),
            key=lambda m: (not m.answered, m.confidence if m.answered else -m.confidence, -m.count),
        )
    )


NEAR_HEADS = {  # answered?: what the editor should do about them
    True: "Đã trả lời nhưng độ tin cậy dưới {high:g} — nên đọc lại câu trả lời",
    False: "Chưa trả lời nhưng độ tin cậy từ {low:g} — bài gần nhất có thể còn thiếu ý",
}


def _floor2(confidence: float) -> str:
    """Two decimals, cut rather than rounded: 0.549 under "dưới 0.55" never reads 0.55."""
    return f"{math.floor(confidence * 100 + 1e-9) / 100:.2f}"


def near_miss_lines(
    band: Band, misses: Sequence[NearMiss], top: int, quote: Callable[[str], str]
) -> list[str]:
    """The report's "Sát ngưỡng" section: each kind with its total and its first `top` wordings."""
    head = f"Sát ngưỡng (BOT_MIN_CONFIDENCE {band.min_confidence:g}, biên ±{band.margin:g}):"
    lines = [head]
    for answered, kind in NEAR_HEADS.items():
        of_kind = [m for m in misses if m.answered is answered]
        if of_kind:
            total = sum(m.count for m in of_kind)
            lines.append(kind.format(high=band.high, low=band.low) + f": {total} câu")
            for m in of_kind[:top]:
                times = f" ({m.count}×)" if m.count > 1 else ""
                lines.append(f"• {_floor2(m.confidence)} {quote(m.question)}{times}")
    return lines
