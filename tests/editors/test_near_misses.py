"""Near misses in the editors' report: questions whose confidence came close to the threshold."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.text import TextPipeline
from bot.editors.near_misses import NEAR_MISS_MARGIN, Band
from bot.editors.reports import build_report, report_text, write_csv
from bot.settings import Settings
from bot.store.database import Store
from tests.helpers.questions import NOW, log_question

YESTERDAY = NOW - timedelta(days=1)
# (question, answered, confidence) around the default threshold 0.4: the band is [0.25, 0.55).
ROWS = [
    ("đúng ngưỡng", True, 0.4),  # answered at the threshold itself: barely sure
    ("sát trên", True, 0.5499),
    ("biên trên", True, 0.55),  # threshold + margin: sure enough, not listed
    ("chắc chắn", True, 0.93),
    ("trả lời cũ", True, None),  # logged before the confidence column: never a near miss
    ("suýt đạt", False, 0.3999),
    ("biên dưới", False, 0.25),  # threshold − margin: still close
    ("dưới biên", False, 0.2499),
    ("xa", False, 0.05),
    ("không khớp gì", False, None),  # nothing matched
]


async def fill(store: Store, rows: list[tuple[str, bool, float | None]], at: datetime) -> None:
    for text, answered, confidence in rows:
        await log_question(store, text, at, answered=answered, confidence=confidence)


async def test_near_misses_are_counted_at_the_boundaries(
    store: Store, pipeline: TextPipeline
) -> None:
    await fill(store, ROWS, YESTERDAY)

    report = await build_report(store, pipeline, 7, now=NOW, min_confidence=0.4)

    assert [(m.question, m.answered, m.confidence) for m in report.near_misses] == [
        ("đúng ngưỡng", True, 0.4),  # answered: least sure first
        ("sát trên", True, 0.5499),
        ("suýt đạt", False, 0.3999),  # unanswered: closest to answering first
        ("biên dưới", False, 0.25),
    ]
    assert [d.near_misses for d in report.days[-2:]] == [4, 0]
    assert NEAR_MISS_MARGIN == 0.15 and (report.band.low, report.band.high) == (0.25, 0.55)


async def test_the_stats_text_lists_near_misses_with_their_confidence(
    store: Store, pipeline: TextPipeline
) -> None:
    await fill(store, ROWS, YESTERDAY)

    text = report_text(await build_report(store, pipeline, 7, now=NOW, min_confidence=0.4))

    section = text[text.index("Sát ngưỡng") :].split("\n\n")[0].splitlines()
    assert section == [
        "Sát ngưỡng (BOT_MIN_CONFIDENCE 0.4, biên ±0.15):",
        "Đã trả lời nhưng độ tin cậy dưới 0.55 — nên đọc lại câu trả lời: 2 câu",
        "• 0.40 đúng ngưỡng",
        "• 0.54 sát trên",  # cut, not rounded up to the edge it is below
        "Chưa trả lời nhưng độ tin cậy từ 0.25 — bài gần nhất có thể còn thiếu ý: 2 câu",
        "• 0.39 suýt đạt",
        "• 0.25 biên dưới",
    ]
    for unlisted in ("biên trên", "chắc chắn", "trả lời cũ", "dưới biên", "xa", "không khớp gì"):
        assert unlisted not in "\n".join(section)


async def test_unanswered_groups_say_how_many_of_their_questions_came_close(
    store: Store, pipeline: TextPipeline
) -> None:
    gold = [
        ("gia vang hom nay", 0.3),
        ("gia vang hom nay", 0.33),
        ("Giá vàng hôm nay?", 0.1),
        ("giá vàng hôm nay bao nhiêu", None),
    ]
    for text, confidence in gold:
        await log_question(store, text, YESTERDAY, answered=False, confidence=confidence)
    await log_question(store, "cấp lại mã số thuế", YESTERDAY, answered=False, confidence=0.1)

    report = await build_report(store, pipeline, 7, now=NOW, min_confidence=0.4)
    text = report_text(report)

    assert [(g.count, g.near_misses) for g in report.unanswered] == [(4, 2), (1, 0)]
    [line] = [line for line in text.splitlines() if line.startswith("• 4×")]
    assert line.endswith(" — 2 câu sát ngưỡng")
    assert "• 1× cấp lại mã số thuế" in text and "thuế —" not in text
    # The same wording twice is one line, with its count and the confidence nearest answering.
    assert "• 0.33 gia vang hom nay (2×)" in text


async def test_the_threshold_comes_from_the_caller(store: Store, pipeline: TextPipeline) -> None:
    await fill(store, ROWS, YESTERDAY)

    report = await build_report(store, pipeline, 7, now=NOW, min_confidence=0.8)

    # Band [0.65, 0.95): every answer below 0.95 is doubtful now, no unanswered one came close.
    assert report.band == Band(0.8)
    assert [m.question for m in report.near_misses] == [
        "đúng ngưỡng",
        "sát trên",
        "biên trên",
        "chắc chắn",
    ]
    assert "Chưa trả lời nhưng" not in report_text(report)


async def test_no_section_without_near_misses(store: Store, pipeline: TextPipeline) -> None:
    await fill(store, [("chắc chắn", True, 0.93), ("cũ", False, None)], YESTERDAY)

    report = await build_report(store, pipeline, 7, now=NOW, min_confidence=0.4)

    assert report.near_misses == () and "Sát ngưỡng" not in report_text(report)


async def test_csv_gets_a_near_miss_count_per_day_as_its_last_column(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    await fill(store, ROWS, YESTERDAY)
    await fill(store, ROWS[:2], NOW)
    report = await build_report(store, pipeline, 3, now=NOW, min_confidence=0.4)

    write_csv(report, tmp_path / "days.csv")

    rows = list(csv.reader((tmp_path / "days.csv").open(encoding="utf-8")))
    assert rows[0] == [
        "day",
        "asked",
        "answered",
        "unanswered",
        "answer_rate_percent",
        "near_misses",
    ]
    assert rows[1:] == [
        ["2024-05-08", "0", "0", "0", "", "0"],
        ["2024-05-09", "10", "5", "5", "50.0", "4"],
        ["2024-05-10", "2", "2", "0", "100.0", "2"],
    ]


def test_stats_command_uses_bot_min_confidence(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    async def fill_db() -> None:
        store = await Store.open(settings.db_path)
        await fill(store, ROWS, datetime.now(UTC))
        await store.close()

    asyncio.run(fill_db())
    monkeypatch.setenv("BOT_MIN_CONFIDENCE", "0.3")  # band [0.15, 0.45)

    assert main(["stats", "--db", str(settings.db_path), "--since", "7"]) == 0

    out = capsys.readouterr().out
    assert "Sát ngưỡng (BOT_MIN_CONFIDENCE 0.3, biên ±0.15):" in out
    assert "Đã trả lời nhưng độ tin cậy dưới 0.45 — nên đọc lại câu trả lời: 1 câu" in out
    assert "• 0.40 đúng ngưỡng" in out and "sát trên" not in out
    assert "Chưa trả lời nhưng độ tin cậy từ 0.15 — bài gần nhất có thể còn thiếu ý: 3 câu" in out
    assert "• 0.24 dưới biên" in out and "• 0.05 xa" not in out
