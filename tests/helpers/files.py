"""Builders for knowledge folders and ready knowledge bases used across the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.sources.ingest import IngestReport, ingest
from bot.store.database import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_KNOWLEDGE = REPO_ROOT / "knowledge"
DATA_DIR = REPO_ROOT / "tests" / "data"
SEED_NAME = "chinh-quyen-so-hai-phong.txt"
SEED_TITLE = "Xây dựng Chính quyền số ở Hải Phòng"
FAQ_DIR = DATA_DIR / "faq"  # two made-up FAQ files (type: faq), test data only
FAQ_ID_TITLE = "Hỏi đáp về thẻ căn cước (dữ liệu thử nghiệm)"
FAQ_SERVICES_TITLE = "Câu hỏi thường gặp về dịch vụ công trực tuyến (dữ liệu thử nghiệm)"

# Every key Settings reads; a developer's shell or .env must not leak into the tests.
SETTINGS_ENV = (
    "BOT_DB_PATH",
    "KNOWLEDGE_DIR",
    "BOT_ABBREVIATIONS_FILE",
    "BOT_SHORTHAND_FILE",
    "BOT_TOP_K",
    "BM25_K1",
    "BM25_B",
    "BM25_EPSILON",
    "BOT_TITLE_WEIGHT",
    "BOT_MAX_PASSAGE_WORDS",
    "BOT_MIN_CONFIDENCE",
    "BOT_SUGGEST_CONFIDENCE",
    "BOT_SURE_CONFIDENCE",
    "BOT_MAX_QUESTION_CHARS",
    "BOT_CONTACT",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BASE_URL",
    "ADMIN_USER_IDS",
    "WEBHOOK_URL",
    "WEBHOOK_PORT",
    "WEBHOOK_LISTEN",
    "WEBHOOK_SECRET",
    "BOT_FLOOD_LIMIT",
    "BOT_USER_SALT",
    "BOT_RETENTION_DAYS",
    "BOT_DELIVERY_MINUTES",
    "BOT_RELOAD_SECONDS",
    "BOT_LOG_LEVEL",
)


def write(path: Path, content: str | bytes) -> Path:
    """Create a file (and its folders) with the given text (UTF-8) or bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def markdown(title: str, paragraphs: Iterable[str], **meta: str) -> str:
    """A Markdown knowledge file: front matter (title + extra keys) and blank-line paragraphs."""
    head = "\n".join(f"{key}: {value}" for key, value in {"title": title, **meta}.items())
    return f"---\n{head}\n---\n\n" + "\n\n".join(paragraphs) + "\n"


def make_settings(tmp_path: Path, knowledge_dir: Path, **overrides: object) -> Settings:
    """Settings with the DB under tmp_path and nothing read from the environment's .env."""
    return Settings(
        db_path=tmp_path / "data" / "bot.sqlite3",
        knowledge_dir=knowledge_dir,
        _env_file=None,
        **overrides,
    )


async def refresh(store: Store, pipeline: TextPipeline, settings: Settings) -> IngestReport:
    """Ingest the settings' knowledge folder, as the CLI's automatic refresh does."""
    return await ingest(
        store, pipeline, [settings.knowledge_dir], False, settings.max_passage_words
    )


@asynccontextmanager
async def open_kb(settings: Settings, pipeline: TextPipeline) -> AsyncIterator[KnowledgeBase]:
    """Ingest settings.knowledge_dir into settings.db_path and yield the knowledge base."""
    store = await Store.open(settings.db_path)
    try:
        report = await refresh(store, pipeline, settings)
        assert report.ok, report.errors
        yield await KnowledgeBase.open(store, pipeline, settings)
    finally:
        await store.close()
