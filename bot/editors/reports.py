"""Editors' reports: questions per day, answer rate, what goes unanswered, near misses,
👎 answers, citations.

Days are calendar days in Viet Nam time (UTC+7), the editors' own. An answer "cites" the
articles of its first `answers.shown` passages; rows from before that column count 1.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

from bot.core.text import TextPipeline
from bot.editors.near_misses import Band, NearMiss, collect, near_miss_lines
from bot.editors.wordings import QuestionGroup, group_wordings
from bot.store.database import Store

LOCAL_TZ = timezone(timedelta(hours=7), "ICT")  # Viet Nam keeps no daylight saving time
TOP_GROUPS, TOP_DOWNVOTED, TOP_CITED = 10, 5, 10
TOP_NEAR_MISSES = 5  # of each kind, in the text
# New columns go at the end: spreadsheets built on the older file keep their references.
CSV_COLUMNS = ("day", "asked", "answered", "unanswered", "answer_rate_percent", "near_misses")


@dataclass(frozen=True)
class DayRow:
    """One calendar day: questions asked and how many of them were answered."""

    day: date
    asked: int
    answered: int
    near_misses: int = 0

    @property
    def rate(self) -> float | None:
        """Answered share (0–1); None on a day without questions."""
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class DownvotedAnswer:
    """An answer people marked 👎, with its question and the article it cited first."""

    question_id: int
    question: str
    down: int
    up: int
    title: str | None  # None when the article has since been changed or removed


@dataclass(frozen=True)
class CitedArticle:
    title: str
    citations: int  # answers that cited at least one of its passages


@dataclass(frozen=True)
class Report:
    """Everything the editors' report shows, for the last `since_days` days."""

    since_days: int
    days: tuple[DayRow, ...]
    unanswered: tuple[QuestionGroup, ...]
    downvoted: tuple[DownvotedAnswer, ...]
    cited: tuple[CitedArticle, ...]
    band: Band  # BOT_MIN_CONFIDENCE and the near-miss margin around it
    near_misses: tuple[NearMiss, ...] = ()  # every one of the window, wordings merged

    @property
    def asked(self) -> int:
        return sum(d.asked for d in self.days)

    @property
    def answered(self) -> int:
        return sum(d.answered for d in self.days)

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class _Asked:
    """A question row of the window, as the report reads it."""

    question_id: int
    day: date
    text: str | None
    answered: bool
    confidence: float | None  # NULL before migration 7 and when nothing matched
    cited: tuple[int, ...]  # passage ids the reply showed as its citations
    articles: tuple[tuple[str, str], ...]  # (source, title) of those, when logged (migration 6)


def local_day(stamp: str) -> date:
    """The Viet Nam calendar day of a stored ISO timestamp (naive ones are UTC)."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def window_start(since_days: int, now: datetime | None = None) -> datetime:
    """Local midnight `since_days - 1` days before today: the window includes today."""
    today = (now or datetime.now(UTC)).astimezone(LOCAL_TZ).date()
    first = today - timedelta(days=since_days - 1)
    return datetime.combine(first, time(), LOCAL_TZ)


def _bounds(start: datetime, days: int) -> tuple[str, str]:
    """The window as UTC ISO strings: stored stamps are those, so they compare as text."""
    end = start + timedelta(days=days)
    return start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()


async def _asked_rows(store: Store, bounds: tuple[str, str]) -> list[_Asked]:
    query = (
        "SELECT q.id, q.asked_at, q.question, q.answered, q.confidence, a.passage_ids, a.shown,"
        " a.cited"
        " FROM questions q"
        " LEFT JOIN answers a ON a.question_id = q.id WHERE q.asked_at >= ? AND q.asked_at < ?"
        " ORDER BY q.id"
    )
    async with store.db.execute(query, bounds) as cur:
        rows = await cur.fetchall()
    out: list[_Asked] = []
    for qid, asked_at, text, answered, confidence, passage_ids, shown, cited_json in rows:
        ids = json.loads(passage_ids) if passage_ids else []
        cited = ids[: 1 if shown is None else shown]
        articles = tuple((source, title) for source, title in json.loads(cited_json or "[]"))
        day, ok = local_day(asked_at), bool(answered)
        out.append(_Asked(qid, day, text, ok, confidence, tuple(cited), articles))
    return out


def _cited_articles(
    row: _Asked, passages: dict[int, tuple[int, str]]
) -> list[tuple[str | int, str]]:
    """(key, title) of each article an answer cited: logged ones, else through passage ids."""
    if row.articles:
        return list(row.articles)
    return list(dict.fromkeys(passages[p] for p in row.cited if p in passages))


async def _passage_articles(store: Store) -> dict[int, tuple[int, str]]:
    """Passage id → (article id, title); passages re-ingested since have new ids."""
    query = "SELECT p.id, a.id, a.title FROM passages p JOIN articles a ON a.id = p.article_id"
    async with store.db.execute(query) as cur:
        return {r[0]: (r[1], r[2]) async for r in cur}


def _days(rows: list[_Asked], start: date, count: int, band: Band) -> tuple[DayRow, ...]:
    asked = Counter(r.day for r in rows)
    answered = Counter(r.day for r in rows if r.answered)
    near = Counter(r.day for r in rows if band.near(r.answered, r.confidence))
    days = (start + timedelta(days=i) for i in range(count))
    return tuple(DayRow(d, asked[d], answered[d], near[d]) for d in days)


def _cited(rows: list[_Asked], articles: dict[int, tuple[int, str]]) -> tuple[CitedArticle, ...]:
    counts: Counter[str | int] = Counter()
    titles: dict[str | int, str] = {}
    for row in (r for r in rows if r.answered):
        found = _cited_articles(row, articles)
        titles.update(found)
        counts.update({key for key, _ in found})  # once per answer
    ranked = sorted(counts.items(), key=lambda item: (-item[1], titles[item[0]]))
    return tuple(CitedArticle(titles[a], n) for a, n in ranked[:TOP_CITED])


async def _downvoted(
    store: Store, rows: list[_Asked], articles: dict[int, tuple[int, str]], bounds: tuple[str, str]
) -> tuple[DownvotedAnswer, ...]:
    query = (
        "SELECT v.question_id, SUM(v.vote < 0) AS down, SUM(v.vote > 0) AS up FROM votes v"
        " JOIN questions q ON q.id = v.question_id WHERE q.asked_at >= ? AND q.asked_at < ?"
        " GROUP BY v.question_id HAVING down > 0 ORDER BY down DESC, up, v.question_id DESC"
        " LIMIT ?"
    )
    async with store.db.execute(query, (*bounds, TOP_DOWNVOTED)) as cur:
        votes = await cur.fetchall()
    by_id = {r.question_id: r for r in rows}
    out: list[DownvotedAnswer] = []
    for qid, down, up in votes:
        row = by_id[qid]
        found = _cited_articles(row, articles)
        out.append(DownvotedAnswer(qid, row.text or "", down, up, found[0][1] if found else None))
    return tuple(out)


async def build_report(
    store: Store,
    pipeline: TextPipeline,
    since_days: int,
    now: datetime | None = None,
    *,
    min_confidence: float,
) -> Report:
    """The report over the last `since_days` calendar days, today included; near misses are
    judged against `min_confidence` (BOT_MIN_CONFIDENCE) as it is now."""
    if since_days < 1:
        raise ValueError("since_days must be at least 1")
    start, band = window_start(since_days, now), Band(min_confidence)
    bounds = _bounds(start, since_days)
    rows = await _asked_rows(store, bounds)
    articles = await _passage_articles(store)
    unanswered = [r for r in rows if not r.answered]
    near = (r.text for r in unanswered if band.near(False, r.confidence))
    groups = group_wordings(pipeline, (r.text for r in unanswered), near)
    return Report(
        since_days,
        _days(rows, start.date(), since_days, band),
        tuple(groups[:TOP_GROUPS]),
        await _downvoted(store, rows, articles, bounds),
        _cited(rows, articles),
        band,
        collect(band, ((r.text, r.answered, r.confidence) for r in rows)),
    )


def write_csv(report: Report, path: Path) -> None:
    """One row a day, oldest first: day (YYYY-MM-DD, Viet Nam time), asked, answered,
    unanswered, answer_rate_percent (one decimal; empty on days without questions), near_misses."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for d in report.days:
            rate = "" if d.rate is None else f"{d.rate * 100:.1f}"
            counts = (d.asked, d.answered, d.asked - d.answered)
            writer.writerow((d.day.isoformat(), *counts, rate, d.near_misses))


TEXT_LIMIT = 3500  # one Telegram message (4096) with room for a header
TEXT_DAYS = 14
QUOTE_CHARS = 80


def _short(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def _day_lines(report: Report) -> list[str]:
    shown = report.days[-TEXT_DAYS:]
    head = "Theo ngày" + (
        f" ({len(shown)} ngày gần nhất):" if len(report.days) > TEXT_DAYS else ":"
    )
    lines = [
        f"{d.day:%d/%m}: {d.asked} câu" + (f", trả lời {_percent(d.rate)}" if d.asked else "")
        for d in reversed(shown)
    ]
    return [head, *lines]


def _group_line(group: QuestionGroup) -> str:
    line = f"• {group.count}× {_short(group.wording)}"
    if group.examples:
        line += f" (cũng hỏi: {'; '.join(_short(e, 40) for e in group.examples)})"
    if group.near_misses:
        line += f" — {group.near_misses} câu sát ngưỡng"
    return line


def _near_miss_lines(report: Report) -> list[str]:
    return near_miss_lines(report.band, report.near_misses, TOP_NEAR_MISSES, _short)


def _sections(report: Report) -> list[list[str]]:
    sections = [_day_lines(report)]
    if report.unanswered:
        head = "Câu hỏi chưa trả lời được (gộp theo cách hỏi):"
        sections.append([head, *map(_group_line, report.unanswered)])
    if report.near_misses:
        sections.append(_near_miss_lines(report))
    if report.downvoted:
        lines = ["Câu trả lời bị 👎 nhiều nhất:"]
        for a in report.downvoted:
            title = _short(a.title, 60) if a.title else "(bài đã đổi hoặc bị gỡ)"
            lines.append(f"• {a.down}👎 {a.up}👍 «{_short(a.question)}» → {title}")
        sections.append(lines)
    if report.cited:
        lines = ["Bài được trích dẫn nhiều nhất:"]
        lines += [f"• {c.citations} lần: {_short(c.title)}" for c in report.cited]
        sections.append(lines)
    return sections


def report_text(report: Report) -> str:
    """The report as plain Vietnamese text that fits one Telegram message."""
    first, last = report.days[0].day, report.days[-1].day
    head = f"📊 Thống kê {report.since_days} ngày ({first:%d/%m/%Y}–{last:%d/%m/%Y})"
    if not report.asked:
        return f"{head}\nChưa có câu hỏi nào trong thời gian này."
    total = f"Câu hỏi: {report.asked}, trả lời được: {report.answered} ({_percent(report.rate)})"
    blocks = ["\n".join([head, total]), *("\n".join(s) for s in _sections(report))]
    return _fit("\n\n".join(blocks), TEXT_LIMIT)


def _fit(text: str, limit: int) -> str:
    """Whole lines up to `limit` characters, with "…" when some had to go."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 2].rsplit("\n", 1)[0]
    return f"{kept}\n…"
