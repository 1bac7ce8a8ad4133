"""What every command family shares: exit codes, stderr lines, the refreshed knowledge base."""

from __future__ import annotations

import errno
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from bot.settings import Settings, SettingsError
from bot.sources.ingest import EmptyKnowledge, needs_refresh, refresh_folder, stored_fallback
from bot.sources.knowledge import folder_problem
from bot.store.database import Store

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2
EXIT_PROBLEMS = EXIT_PARTIAL
EXIT_INTERRUPTED = 130
OS_REASONS = {
    errno.ENOENT: "thư mục không tồn tại",
    errno.ENOTDIR: "đường dẫn đi qua một tệp, không phải thư mục",
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
    errno.EISDIR: "đó là một thư mục",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENOSPC: "hết chỗ trên đĩa",
}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Vietnamese when the cause is a common one."""
    return OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def pipeline_for(settings: Settings) -> TextPipeline:
    return TextPipeline(
        abbreviations_file=settings.abbreviations_file, shorthand_file=settings.shorthand_file
    )


@asynccontextmanager
async def opened(settings: Settings, refresh: bool = True) -> AsyncIterator[KnowledgeBase]:
    """A ready knowledge base; builds or refreshes the DB from knowledge/ when it is stale."""
    store = await Store.open(settings.db_path)
    try:
        pipeline = pipeline_for(settings)
        problem = folder_problem(settings.knowledge_dir)
        stale = await needs_refresh(
            store, pipeline, settings.knowledge_dir, settings.max_passage_words
        )
        if refresh and stale and problem is None:
            await refresh_from_folder(store, pipeline, settings)
        await say_folder_problem(store, problem)
        yield await KnowledgeBase.open(store, pipeline, settings)
    finally:
        await store.close()


async def say_folder_problem(store: Store, problem: str | None) -> None:
    """A missing or empty knowledge folder is said, never left to look like "not found"."""
    try:
        warning = await stored_fallback(store, problem)
    except EmptyKnowledge:
        raise SettingsError(
            f"Kho tri thức trống: {problem}. Đặt KNOWLEDGE_DIR là thư mục bài viết, "
            "hoặc nạp bài bằng `ingest`"
        ) from None
    if warning:
        say(warning)


async def refresh_from_folder(store: Store, pipeline: TextPipeline, settings: Settings) -> None:
    """The one-line progress report of an automatic refresh."""
    folder = settings.knowledge_dir
    print(f"Đang cập nhật kho tri thức từ {folder}/ …", end=" ", file=sys.stderr, flush=True)
    report = await refresh_folder(store, pipeline, folder, settings.max_passage_words)
    articles, passages = await store.counts()
    say(f"xong: {articles} bài, {passages} đoạn ({report.seconds:.1f} s)")
    for error in report.errors:
        say(f"  bỏ qua {error}")
