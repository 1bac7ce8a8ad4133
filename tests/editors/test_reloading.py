"""Live reload: new knowledge goes live without a restart, and never a moment of wrong answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.core.answer import Answer
from bot.core.text import TextPipeline
from bot.editors.reloading import Reloader
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.sources.ingest import ingest
from bot.store.database import Store
from tests.helpers.files import SEED_TITLE, markdown, write

SEED_QUESTION = "Chính quyền số là gì?"
NEW_TITLE = "Đăng ký xe máy trực tuyến"
NEW_QUESTION = "dang ky xe may truc tuyen o dau"
NEW_ARTICLE = markdown(
    NEW_TITLE,
    [
        "Người dân đăng ký xe máy trực tuyến trên Cổng dịch vụ công quốc gia, nộp lệ phí "
        "qua ngân hàng và nhận biển số tại công an xã nơi cư trú.",
        "Hồ sơ đăng ký xe máy gồm căn cước công dân, hoá đơn mua xe và giấy chứng nhận "
        "chất lượng xuất xưởng.",
    ],
    published="2026-11-20",
    author="Ban biên tập",
)


def cited(answer: Answer) -> str | None:
    """The title the answer cites first, when it answered."""
    return answer.hits[0].citation.title if answer.answered and answer.hits else None


class ExplodingPipeline(TextPipeline):
    """Fails on a marker word, like an ingest that breaks half-way."""

    def terms(self, text: str) -> list[str]:
        if "KABOOM" in text:
            raise RuntimeError("tokenizer crashed")
        return super().terms(text)


async def keep_asking(kb: KnowledgeBase, until: asyncio.Task) -> list[Answer]:
    """Ask the seed question over and over while `until` runs."""
    answers = [await kb.ask(SEED_QUESTION)]
    while not until.done():
        answers.append(await kb.ask(SEED_QUESTION))
    return answers


async def test_questions_during_a_reload_keep_their_answer(
    kb: KnowledgeBase, settings: Settings
) -> None:
    write(settings.knowledge_dir / "xe-may.md", NEW_ARTICLE)
    for n in range(20):  # enough new text that the reload takes a while
        write(settings.knowledge_dir / f"extra-{n}.md", NEW_ARTICLE.replace("xe máy", f"xe {n}"))
    old_index = kb.loaded

    reload = asyncio.create_task(Reloader(kb).refresh())
    during = await keep_asking(kb, reload)
    result = await reload

    assert result.ok and result.swapped and result.report and result.report.added == 21
    assert len(during) > 1 and all(cited(a) == SEED_TITLE for a in during)
    assert kb.loaded is not old_index
    assert cited(await kb.ask(NEW_QUESTION)) == NEW_TITLE


async def test_watch_loads_a_changed_knowledge_folder(
    kb: KnowledgeBase, settings: Settings
) -> None:
    reloader = Reloader(kb)
    assert await reloader.poll() is None  # nothing changed yet
    assert cited(await kb.ask(NEW_QUESTION)) is None

    write(settings.knowledge_dir / "xe-may.md", NEW_ARTICLE)
    result = await reloader.poll()

    assert result is not None and result.swapped and result.report.added == 1
    assert cited(await kb.ask(NEW_QUESTION)) == NEW_TITLE
    (settings.knowledge_dir / "xe-may.md").unlink()
    assert (await reloader.poll()).report.removed == 1
    assert cited(await kb.ask(NEW_QUESTION)) is None


async def test_an_ingest_beside_the_bot_goes_live_on_the_next_poll(
    kb: KnowledgeBase, settings: Settings, pipeline: TextPipeline, tmp_path: Path
) -> None:
    elsewhere = write(tmp_path / "import" / "xe-may.md", NEW_ARTICLE)
    cli_store = await Store.open(settings.db_path)  # as `python -m bot ingest` would
    try:
        report = await ingest(cli_store, pipeline, [elsewhere])
    finally:
        await cli_store.close()
    assert report.added == 1
    assert cited(await kb.ask(NEW_QUESTION)) is None  # the serving index is untouched

    result = await Reloader(kb).poll()

    assert result is not None and result.swapped and result.report is None
    assert cited(await kb.ask(NEW_QUESTION)) == NEW_TITLE
    assert cited(await kb.ask(SEED_QUESTION)) == SEED_TITLE


async def test_a_failed_ingest_leaves_the_old_index_serving(
    store: Store, settings: Settings
) -> None:
    pipeline = ExplodingPipeline()
    await ingest(store, pipeline, [settings.knowledge_dir])
    kb = await KnowledgeBase.open(store, pipeline, settings)
    old_index, reloader = kb.loaded, Reloader(kb)
    write(settings.knowledge_dir / "xe-may.md", NEW_ARTICLE)
    write(settings.knowledge_dir / "hong.md", markdown("Bài lỗi", ["KABOOM giữa chừng."]))

    failed = await reloader.poll()

    assert failed is not None and not failed.ok and "tokenizer crashed" in (failed.error or "")
    assert kb.loaded is old_index
    assert cited(await kb.ask(SEED_QUESTION)) == SEED_TITLE
    assert await reloader.poll() is None  # not retried until the folder changes again

    (settings.knowledge_dir / "hong.md").unlink()
    fixed = await reloader.poll()

    assert fixed is not None and fixed.ok and fixed.swapped
    assert cited(await kb.ask(NEW_QUESTION)) == NEW_TITLE


async def test_reload_without_changes_keeps_the_index(kb: KnowledgeBase) -> None:
    old_index = kb.loaded

    result = await Reloader(kb).refresh()

    assert result.ok and not result.swapped and result.report.unchanged == 1
    assert kb.loaded is old_index
