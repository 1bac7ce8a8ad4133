"""Editors' reports: what `stats` and the admin `/stats` show, from a real SQLite file."""

from __future__ import annotations

import asyncio
import csv
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.text import TextPipeline
from bot.editors.report_plot import write_plot
from bot.editors.reports import TEXT_LIMIT, build_report, report_text, write_csv
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.store.database import Store
from bot.store.migrations import MIGRATIONS
from tests.helpers.files import SEED_NAME, SEED_TITLE, markdown, refresh, write
from tests.helpers.questions import NOW, log_question, passage_ids_by_title, vote

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MIN = 0.4  # BOT_MIN_CONFIDENCE's default; these rows carry no confidence, so it changes nothing
CCCD_TITLE = "Cấp căn cước công dân"
CCCD_TEXT = (
    "Công dân đủ 14 tuổi làm thủ tục cấp căn cước công dân tại công an cấp huyện. "
    "Khi đi cần mang theo sổ hộ khẩu hoặc giấy xác nhận cư trú."
)
GOLD = ["gia vang hom nay", "gia vang hom nay", "Giá vàng hôm nay?", "gia vang hom nay bao nhieu"]
MARRIAGE = ["thủ tục đăng ký kết hôn", "đăng ký kết hôn cần gì"]


def day(offset: int, hour: int = 3) -> datetime:
    """`offset` days before NOW's day, at `hour` UTC (10:00 in Viet Nam by default)."""
    return datetime(2024, 5, 10, hour, tzinfo=UTC) - timedelta(days=offset)


@pytest.fixture
async def articles(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> dict[str, list[int]]:
    """The seed article plus a CCCD article, ingested; title → passage ids."""
    write(settings.knowledge_dir / "cccd.md", markdown(CCCD_TITLE, [CCCD_TEXT]))
    assert (await refresh(store, pipeline, settings)).ok
    return await passage_ids_by_title(store)


async def test_per_day_counts_and_answer_rate(store: Store, pipeline: TextPipeline) -> None:
    for offset, answered in [
        (2, True),
        (2, False),
        (0, True),
        (0, True),
        (0, True),
        (40, True),
        (-1, True),
    ]:
        await log_question(store, "câu hỏi", day(offset), answered=answered)
    # 20:00 UTC on the 8th is 03:00 on the 9th in Viet Nam: the editors' calendar counts.
    await log_question(store, "hỏi đêm", day(2, hour=20), answered=False)

    report = await build_report(store, pipeline, 7, now=NOW, min_confidence=MIN)

    assert [d.day for d in report.days] == [date(2024, 5, 4) + timedelta(i) for i in range(7)]
    by_day = {d.day: (d.asked, d.answered) for d in report.days}
    assert by_day[date(2024, 5, 8)] == (2, 1)
    assert by_day[date(2024, 5, 9)] == (1, 0)
    assert by_day[date(2024, 5, 10)] == (3, 3)
    assert by_day[date(2024, 5, 5)] == (0, 0)
    assert (report.asked, report.answered) == (6, 4)  # 40 days ago and tomorrow are outside
    assert report.rate == pytest.approx(4 / 6)
    assert report.days[-1].rate == 1.0 and report.days[0].rate is None


async def test_similar_unanswered_wordings_are_grouped_and_ranked(
    store: Store, pipeline: TextPipeline
) -> None:
    for text in [*MARRIAGE, *GOLD, "cấp lại mã số thuế"]:
        await log_question(store, text, day(1), answered=False)
    await log_question(store, "gia vang hom nay", day(1), answered=True)  # answered: not listed

    groups = (await build_report(store, pipeline, 30, now=NOW, min_confidence=MIN)).unanswered

    assert [g.count for g in groups] == [4, 2, 1]
    gold = groups[0]
    assert gold.wording == "gia vang hom nay"
    assert set(gold.examples) == {"Giá vàng hôm nay?", "gia vang hom nay bao nhieu"}
    assert {groups[1].wording, *groups[1].examples} == set(MARRIAGE)
    assert groups[2].wording == "cấp lại mã số thuế"


async def test_placeholders_do_not_split_a_group_of_unanswered_questions(
    store: Store, pipeline: TextPipeline
) -> None:
    for text in ["mất sim", "mất sim", "mất sim 0912345678", "phạt nguội", "phạt nguội 15A-123.45"]:
        await log_question(store, text, day(1), answered=False)

    groups = (await build_report(store, pipeline, 30, now=NOW, min_confidence=MIN)).unanswered

    assert [(g.wording, g.count, g.examples) for g in groups] == [
        ("mất sim", 3, ("mất sim [số điện thoại]",)),  # the number itself is never shown
        ("phạt nguội", 2, ("phạt nguội [biển số xe]",)),
    ]


async def test_most_downvoted_answer_comes_with_its_question_and_article(
    store: Store, pipeline: TextPipeline, articles: dict[str, list[int]]
) -> None:
    cccd = articles[CCCD_TITLE]
    worst = await log_question(store, "làm căn cước ở đâu", day(1), passages=cccd, shown=1)
    meh = await log_question(store, "chính quyền số", day(1), passages=articles[SEED_TITLE])
    liked = await log_question(store, "căn cước công dân", day(1), passages=cccd)
    for user, value in [("a", -1), ("b", -1), ("c", 1)]:
        await vote(store, worst, user, value, day(1))
    await vote(store, meh, "a", -1, day(1))
    await vote(store, liked, "a", 1, day(1))

    downvoted = (await build_report(store, pipeline, 30, now=NOW, min_confidence=MIN)).downvoted

    assert [(a.question, a.down, a.up) for a in downvoted] == [
        ("làm căn cước ở đâu", 2, 1),
        ("chính quyền số", 1, 0),
    ]
    assert downvoted[0].title == CCCD_TITLE and downvoted[1].title == SEED_TITLE


async def test_most_cited_articles_count_shown_passages_of_answered_questions(
    store: Store, pipeline: TextPipeline, articles: dict[str, list[int]]
) -> None:
    seed, cccd = articles[SEED_TITLE], articles[CCCD_TITLE]
    for _ in range(3):
        await log_question(store, "chính quyền số", day(1), passages=seed[:2] + cccd, shown=2)
    # Shown: one seed and one CCCD passage, so both articles are cited once.
    await log_question(store, "căn cước", day(1), passages=[seed[0], cccd[0]], shown=2)
    # Before migration 5 (shown NULL) only the first passage counts.
    await log_question(store, "căn cước cũ", day(1), passages=[cccd[0], seed[0]])
    await log_question(store, "không đáp", day(1), answered=False, passages=cccd, shown=1)

    cited = (await build_report(store, pipeline, 30, now=NOW, min_confidence=MIN)).cited

    assert [(c.title, c.citations) for c in cited] == [(SEED_TITLE, 4), (CCCD_TITLE, 2)]


async def test_cited_articles_survive_a_reingest_of_the_article(
    store: Store, pipeline: TextPipeline, settings: Settings, kb: KnowledgeBase
) -> None:
    answer = await kb.ask("Chính quyền số là gì?")
    cited = [h.citation for h in answer.hits]
    pids = [h.passage_id for h in answer.hits]
    asked = await log_question(store, answer.question, day(1), passages=pids, shown=3, cited=cited)
    await vote(store, asked, "a", -1, day(1))
    seed = settings.knowledge_dir / SEED_NAME
    seed.write_text(seed.read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    assert (await refresh(store, pipeline, settings)).updated == 1  # every passage id changed

    report = await build_report(store, pipeline, 30, now=NOW, min_confidence=MIN)

    assert [(c.title, c.citations) for c in report.cited] == [(SEED_TITLE, 1)]
    assert report.downvoted[0].title == SEED_TITLE


async def test_text_csv_and_chart_of_a_busy_month(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    for i in range(40):  # many long, distinct unanswered questions: the text must still fit
        await log_question(store, f"câu hỏi số {i} " + "rất dài " * 30, day(i % 20), answered=False)
    await log_question(store, "chính quyền số", day(0))

    report = await build_report(store, pipeline, 30, now=NOW, min_confidence=MIN)
    text = report_text(report)
    write_csv(report, tmp_path / "days.csv")
    write_plot(report, tmp_path / "days.png")

    assert len(text) <= TEXT_LIMIT
    assert "Câu hỏi: 41, trả lời được: 1 (2%)" in text
    assert "10/05: 3 câu, trả lời 33%" in text
    rows = list(csv.DictReader((tmp_path / "days.csv").open(encoding="utf-8")))
    assert len(rows) == 30 and rows[-1]["day"] == "2024-05-10"
    assert rows[-1] == {
        "day": "2024-05-10",
        "asked": "3",
        "answered": "1",
        "unanswered": "2",
        "answer_rate_percent": "33.3",
        "near_misses": "0",  # the new column comes last
    }
    assert rows[0]["asked"] == "0" and rows[0]["answer_rate_percent"] == ""
    png = (tmp_path / "days.png").read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 1000


async def test_an_empty_database_says_there_are_no_questions_yet(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    report = await build_report(store, pipeline, 30, now=NOW, min_confidence=MIN)
    write_plot(report, tmp_path / "empty.png")

    assert report.asked == 0 and len(report.days) == 30
    assert (report.unanswered, report.downvoted, report.cited) == ((), (), ())
    assert "Chưa có câu hỏi nào" in report_text(report)
    assert (tmp_path / "empty.png").read_bytes().startswith(PNG_MAGIC)


async def test_answers_logged_before_the_shown_column_still_count(
    settings: Settings, pipeline: TextPipeline
) -> None:
    settings.db_path.parent.mkdir(parents=True)
    with sqlite3.connect(settings.db_path) as db:  # a database as schema version 4 left it
        db.executescript("".join(m.sql for m in MIGRATIONS[:4]) + "PRAGMA user_version = 4;")
        db.execute(
            "INSERT INTO questions(asked_at, chat_type, question, answered)"
            " VALUES(?, 'private', 'cũ', 1)",
            (day(1).isoformat(),),
        )
        db.execute("INSERT INTO answers(question_id, passage_ids) VALUES(1, '[7, 8]')")
    db.close()
    store = await Store.open(settings.db_path)
    try:
        new = await log_question(store, "mới", day(0), passages=[9, 10, 11], shown=2)
        async with store.db.execute("SELECT question_id, shown FROM answers") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(1, None), (new, 2)]
        report = await build_report(store, pipeline, 7, now=NOW, min_confidence=MIN)
    finally:
        await store.close()
    assert (report.asked, report.answered) == (2, 2)


# --- python -m bot stats ----------------------------------------------------------------------


def test_stats_command_prints_the_report_and_writes_csv_and_chart(
    settings: Settings, pipeline: TextPipeline, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    async def fill() -> None:
        store = await Store.open(settings.db_path)
        now = datetime.now(UTC)
        for text in GOLD:
            await log_question(store, text, now, answered=False)
        await store.close()

    asyncio.run(fill())
    db, out_csv, out_png = str(settings.db_path), tmp_path / "s.csv", tmp_path / "s.png"

    code = main(
        ["stats", "--db", db, "--since", "7", "--csv", str(out_csv), "--plot", str(out_png)]
    )

    out, err = capsys.readouterr()
    assert code == 0
    assert "Thống kê 7 ngày" in out and "4× gia vang hom nay" in out
    assert len(out_csv.read_text(encoding="utf-8").splitlines()) == 8  # header + 7 days
    assert out_png.read_bytes().startswith(PNG_MAGIC)
    assert str(out_csv) in err and str(out_png) in err
    assert "không được lưu" not in out  # the CLI note is for an empty report only


def test_stats_on_an_empty_database_says_cli_questions_are_not_recorded(
    settings: Settings, capsys: pytest.CaptureFixture
) -> None:
    assert main(["stats", "--db", str(settings.db_path)]) == 0

    out = capsys.readouterr().out
    assert "Chưa có câu hỏi nào trong thời gian này." in out
    assert "Chỉ bot Telegram (`run`) ghi lại câu hỏi" in out
    assert "`ask` hay `chat` ở dòng lệnh không được lưu" in out and str(settings.db_path) in out


@pytest.mark.parametrize("option", ["--csv", "--plot"])
def test_stats_command_unwritable_path_is_a_clear_message(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture, option: str
) -> None:
    blocker = write(tmp_path / "not-a-folder", "x")
    target = blocker / "out.file"

    code = main(["stats", "--db", str(settings.db_path), option, str(target)])

    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"Không ghi được tệp {target}" in err and "Traceback" not in err
