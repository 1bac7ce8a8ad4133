"""An ingest killed with SIGKILL half-way through its writes leaves the old corpus, whole."""

from __future__ import annotations

from pathlib import Path

from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.store.database import Store
from tests.helpers.files import make_settings, markdown, open_kb, write
from tests.helpers.killable import READY, child_python

ARTICLES = 6
OLD_FEE, NEW_FEE = "50.000 đồng", "80.000 đồng"
# The child runs the real `ingest` command and stops for good after its third article write,
# the way a process looks to the OOM killer or to `kill -9` in the middle of an ingest.
PAUSING_INGEST = f"""
    import sys, time
    from bot.store.database import Store
    from bot.cli.main import main

    original, written = Store.replace_article, []

    async def replace_then_pause(self, *args, **kwargs):
        await original(self, *args, **kwargs)
        written.append(1)
        if len(written) == 3:
            print("{READY}", flush=True)
            time.sleep(3600)

    Store.replace_article = replace_then_pause
    sys.exit(main(["ingest", sys.argv[1]]))
"""


def write_corpus(folder: Path, fee: str) -> None:
    """Made-up service pages that all quote the same fee."""
    for n in range(ARTICLES):
        paragraph = f"Lệ phí cấp bản sao giấy tờ loại {n} nộp trực tuyến là {fee} mỗi bản."
        write(folder / f"le-phi-{n}.md", markdown(f"Lệ phí bản sao loại {n}", [paragraph]))


async def fees_served(settings: Settings, pipeline: TextPipeline) -> dict[str, int]:
    """How many passages of the index a restarted bot would load quote each fee."""
    store = await Store.open(settings.db_path)
    try:
        kb = await KnowledgeBase.open(store, pipeline, settings)
        texts = [text for _, text in kb.loaded.text.passages.values()]
    finally:
        await store.close()
    return {fee: sum(fee in text for text in texts) for fee in (OLD_FEE, NEW_FEE)}


async def killed_mid_ingest(tmp_path: Path, pipeline: TextPipeline) -> Settings:
    """The old corpus ingested, then the editor changes the fee in every page and an ingest of
    the new one is killed (SIGKILL) after three of its six page writes."""
    folder = tmp_path / "knowledge"
    write_corpus(folder, OLD_FEE)
    settings = make_settings(tmp_path, folder)
    async with open_kb(settings, pipeline):
        pass
    write_corpus(folder, NEW_FEE)
    with child_python(PAUSING_INGEST, tmp_path, settings.db_path, str(folder)) as child:
        child.wait_ready()
        child.kill()
    return settings


async def test_an_ingest_killed_after_some_writes_leaves_the_old_corpus_whole(
    tmp_path: Path, pipeline: TextPipeline
) -> None:
    settings = await killed_mid_ingest(tmp_path, pipeline)
    assert await fees_served(settings, pipeline) == {OLD_FEE: ARTICLES, NEW_FEE: 0}


async def test_the_next_ingest_after_a_kill_brings_the_whole_new_corpus(
    tmp_path: Path, pipeline: TextPipeline
) -> None:
    settings = await killed_mid_ingest(tmp_path, pipeline)
    async with open_kb(settings, pipeline):  # the next run (ingest, `ask`, the bot) redoes it
        pass

    assert await fees_served(settings, pipeline) == {OLD_FEE: 0, NEW_FEE: ARTICLES}
