"""Editors' commands: `stats` (reports), `check` (knowledge health), `purge` (retention)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    os_reason,
    pipeline_for,
    refresh_from_folder,
    say,
)
from bot.editors.health import check_knowledge, health_text
from bot.editors.reports import LOCAL_TZ, Report, build_report, report_text, write_csv
from bot.settings import Settings, SettingsError
from bot.sources.ingest import needs_refresh
from bot.store.database import Store
from bot.store.privacy import purge_older_than

# Why an empty report is often not "nobody asked": the CLI keeps no log of its questions.
NOT_RECORDED = (
    "Chỉ bot Telegram (`run`) ghi lại câu hỏi của người dân; câu hỏi gõ bằng `ask` hay `chat`"
    " ở dòng lệnh không được lưu nên không có trong thống kê. Cơ sở dữ liệu đang đọc: {db}"
)
MAX_DAYS = 3650
DEFAULT_SINCE = 30


def day_count(text: str) -> int:
    """argparse type for a number of days (1–3650)."""
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"cần số ngày từ 1 đến {MAX_DAYS}, không phải {text!r}")
    return days


def add_editor_commands(sub: argparse._SubParsersAction) -> None:
    """Register stats, check and purge on the main parser's subcommands."""
    stats = sub.add_parser("stats", help="thống kê câu hỏi, tỉ lệ trả lời, câu chưa trả lời được")
    stats.add_argument(
        "--since", type=day_count, default=DEFAULT_SINCE, metavar="SỐ_NGÀY", help="mặc định 30 ngày"
    )
    stats.add_argument("--csv", type=Path, metavar="TỆP", help="ghi số liệu từng ngày ra CSV")
    stats.add_argument("--plot", type=Path, metavar="TỆP.png", help="vẽ biểu đồ ra tệp PNG")
    check = sub.add_parser(
        "check", help="kiểm tra kho tri thức; mã thoát 1 khi có vấn đề (cảnh báo thì không)"
    )
    purge = sub.add_parser("purge", help="xoá câu hỏi, câu trả lời, đánh giá quá hạn lưu giữ")
    purge.add_argument("--days", type=day_count, metavar="N", help="mặc định BOT_RETENTION_DAYS")
    for p in (stats, check, purge):
        p.add_argument("--db", type=Path, metavar="TỆP", help="tệp SQLite (mặc định BOT_DB_PATH)")


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Store]:
    """The database as it is (no ingest); one clear line (exit 2) when it cannot be opened
    or is damaged."""
    try:
        store = await Store.open(settings.db_path)
    except OSError as exc:
        reason = f"Không mở được cơ sở dữ liệu {settings.db_path}: {os_reason(exc)}"
        raise SettingsError(reason) from None
    try:
        await store.check_integrity()  # a damaged file is said, not read as "nothing to delete"
        yield store
    finally:
        await store.close()


def _write_files(report: Report, csv_path: Path | None, plot_path: Path | None) -> bool:
    """Write the requested CSV and chart; False after saying which one failed."""
    path = csv_path
    try:
        if csv_path is not None:
            write_csv(report, csv_path)
            say(f"Đã ghi số liệu theo ngày vào {csv_path}")
        path = plot_path
        if plot_path is not None:
            from bot.editors.report_plot import (
                write_plot,  # matplotlib loads only when a chart is asked
            )

            write_plot(report, plot_path)
            say(f"Đã vẽ biểu đồ vào {plot_path}")
    except OSError as exc:
        say(f"Không ghi được tệp {path}: {os_reason(exc)}")
        return False
    return True


async def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    async with _database(settings) as store:
        pipeline, threshold = pipeline_for(settings), settings.min_confidence
        report = await build_report(store, pipeline, args.since, min_confidence=threshold)
    if not _write_files(report, args.csv, args.plot):
        return EXIT_USAGE
    print(report_text(report))
    if not report.asked:
        print(NOT_RECORDED.format(db=settings.db_path))
    return EXIT_OK


async def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    async with _database(settings) as store:
        pipeline = pipeline_for(settings)
        # Like `ask`: editors run check right after editing knowledge/, so check what they see.
        folder, words = settings.knowledge_dir, settings.max_passage_words
        if await needs_refresh(store, pipeline, folder, words):
            await refresh_from_folder(store, pipeline, settings)
        report = await check_knowledge(store, pipeline, settings)
    print(health_text(report))
    return EXIT_OK if report.ok else EXIT_PROBLEMS  # warnings alone do not fail


async def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    days = args.days or settings.retention_days
    async with _database(settings) as store:
        result = await purge_older_than(store, days)
    cutoff = result.cutoff.astimezone(LOCAL_TZ)
    print(
        f"Đã xoá {result.questions} câu hỏi, {result.answers} câu trả lời và {result.votes}"
        f" lượt đánh giá cũ hơn {days} ngày (trước {cutoff:%H:%M %d/%m/%Y})."
    )
    return EXIT_OK


EDITOR_COMMANDS = {"stats": cmd_stats, "check": cmd_check, "purge": cmd_purge}
