"""Shared fixtures: isolated settings, one text pipeline per session, a filled knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.store.database import Store
from tests.helpers.bot_process import BotProcess, launcher, reap
from tests.helpers.bot_runner import TOKEN
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import (
    DATA_DIR,
    SEED_KNOWLEDGE,
    SETTINGS_ENV,
    make_settings,
    open_kb,
    refresh,
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting from the environment, and a working directory without a `.env`."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def pipeline() -> TextPipeline:
    """The shipped pipeline (underthesea is slow to load, so once per session)."""
    return TextPipeline()


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of the repository's knowledge/ folder."""
    return Path(shutil.copytree(SEED_KNOWLEDGE, tmp_path / "knowledge"))


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    """Default settings with the DB file under tmp_path and the knowledge copy."""
    return make_settings(tmp_path, knowledge_dir)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    """An empty, migrated database file under tmp_path."""
    opened = await Store.open(settings.db_path)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def kb(store: Store, pipeline: TextPipeline, settings: Settings) -> KnowledgeBase:
    """The seed article ingested and ready to answer (the store fixture closes the DB)."""
    report = await refresh(store, pipeline, settings)
    assert report.ok and report.added == 1
    return await KnowledgeBase.open(store, pipeline, settings)


@pytest.fixture
async def decision_kb(tmp_path: Path, pipeline: TextPipeline) -> AsyncIterator[KnowledgeBase]:
    """The six made-up procedures of tests/data/decision/, ingested and ready to answer."""
    async with open_kb(make_settings(tmp_path, DATA_DIR / "decision"), pipeline) as opened:
        yield opened


@pytest.fixture
def launch(tmp_path: Path, knowledge_dir: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start `python -m bot run` in tmp_path (with the knowledge/ copy) with given settings;
    whatever is still running at the end is killed."""
    start, started = launcher(tmp_path)
    yield start
    reap(started)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """A fake Bot API with the test token, for bot processes (a module's own `api` wins)."""
    with FakeBotApi(token=TOKEN) as fake:
        yield fake
