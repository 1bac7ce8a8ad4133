"""`ingest`: files, folders and web addresses into the database."""

from __future__ import annotations

import argparse

from bot.cli.common import EXIT_OK, EXIT_PARTIAL, pipeline_for, say
from bot.engine import load_index
from bot.settings import Settings
from bot.sources.ingest import ingest, refresh_folder
from bot.store.database import Store


async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    store = await Store.open(settings.db_path)
    try:
        pipeline = pipeline_for(settings)
        words = settings.max_passage_words
        if args.paths:
            report = await ingest(store, pipeline, args.paths, None, words)
        else:
            report = await refresh_folder(store, pipeline, settings.knowledge_dir, words, None)
        # Build and persist the index now, so the next start-up only loads it.
        await load_index(store, pipeline, settings)
        articles, passages = await store.counts()
    finally:
        await store.close()
    for error in report.errors:
        say(f"Lỗi: {error}")
    print(f"{report.summary()}. Kho tri thức: {articles} bài, {passages} đoạn → {settings.db_path}")
    return EXIT_OK if report.ok else EXIT_PARTIAL
