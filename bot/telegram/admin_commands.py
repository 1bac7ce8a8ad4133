"""Admin-only commands (/reload, /stats) and the bot's background jobs (watch, daily purge)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes

from bot.editors.reloading import ReloadResult
from bot.editors.reports import Report, build_report, report_text
from bot.store.privacy import purge_older_than
from bot.store.records import save_notice
from bot.telegram import texts
from bot.telegram.handlers import core_of, send_html
from bot.telegram.markup import HTML
from bot.telegram.notify import tell_waiting

log = logging.getLogger(__name__)
DEFAULT_STATS_DAYS, MAX_STATS_DAYS = 30, 365
NOTICE_LIMIT = 200  # one line above every answer: short enough to be read
NOTICE_OFF_WORDS = frozenset({"off", "tắt", "tat", "gỡ", "go", "xoá", "xóa", "xoa"})


def reload_text(result: ReloadResult) -> str:
    """The admin's summary of a reload, every file name and error escaped."""
    if not result.ok:
        return texts.RELOAD_FAILED.format(
            passages=result.passages, error=HTML.escape(result.error or "")
        )
    summary = result.report.summary() if result.report else "không có gì thay đổi"
    swapped = ", chỉ mục mới đã thay chỉ mục cũ" if result.swapped else ""
    lines = [texts.RELOAD_DONE.format(summary=summary, passages=result.passages, swapped=swapped)]
    errors = result.report.errors if result.report else []
    if errors:
        lines.append(texts.RELOAD_FILE_ERRORS)
        lines += [f"• {HTML.escape(str(error))}" for error in errors]
    return "\n".join(lines)


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ingest knowledge/ and swap the new index in; questions meanwhile get the old one."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(texts.RELOAD_STARTED)
    core = core_of(context)
    result = await core.reloader.refresh()
    await send_html(message, reload_text(result), quote=False)
    if result.ok and result.swapped:
        await tell_waiting(context.bot, core)


async def on_notice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/notice TEXT` sets the line shown above every answer, `/notice off` removes it."""
    message, core = update.effective_message, core_of(context)
    if message is None:
        return
    text = " ".join(" ".join(context.args or []).split())
    if not text:
        reply = texts.NOTICE_NOW if core.notice else texts.NOTICE_NONE
        notice = HTML.escape(core.notice or "")
        await message.reply_html(reply.format(notice=notice, limit=NOTICE_LIMIT))
        return
    if text.lower() in NOTICE_OFF_WORDS:
        await save_notice(core.store, None)
        core.notice = None
        await message.reply_text(texts.NOTICE_OFF)
        return
    if len(text) > NOTICE_LIMIT:
        await message.reply_text(texts.NOTICE_TOO_LONG.format(length=len(text), limit=NOTICE_LIMIT))
        return
    await save_notice(core.store, text)
    core.notice = text
    await message.reply_text(texts.NOTICE_SET.format(notice=text))


def stats_days(args: list[str] | None) -> int | None:
    """`/stats [DAYS]` → days, or None when the argument is not a number from 1 to 365."""
    if not args:
        return DEFAULT_STATS_DAYS
    try:
        days = int(args[0])
    except ValueError:
        return None
    return days if 1 <= days <= MAX_STATS_DAYS else None


def plot_png(report: Report) -> bytes:
    """The questions-per-day chart as PNG bytes (matplotlib loads only when asked)."""
    from bot.editors.report_plot import write_plot

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stats.png"
        write_plot(report, path)
        return path.read_bytes()


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The editors' report as text, then the chart of questions per day and answer rate."""
    message, core = update.effective_message, core_of(context)
    if message is None:
        return
    days = stats_days(context.args)
    if days is None:
        await message.reply_html(texts.STATS_USAGE)
        return
    threshold = core.settings.min_confidence
    report = await build_report(core.store, core.kb.pipeline, days, min_confidence=threshold)
    await send_html(message, f"<pre>{HTML.escape(report_text(report))}</pre>", quote=False)
    if report.asked:
        png = await asyncio.to_thread(plot_png, report)
        await message.reply_photo(png, caption=texts.STATS_PLOT_CAPTION.format(days=days))


async def watch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every BOT_RELOAD_SECONDS: load changes of knowledge/ or of an ingest beside the bot."""
    core = core_of(context)
    result = await core.reloader.poll()
    if result is not None and result.ok and result.swapped:
        log.info("Kho tri thức đã nạp lại: %d đoạn", result.passages)
        await tell_waiting(context.bot, core)


async def purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Daily: delete questions, answers and votes older than BOT_RETENTION_DAYS."""
    core = core_of(context)
    result = await purge_older_than(core.store, core.settings.retention_days)
    log.info("Xoá dữ liệu quá hạn: %s", result)
