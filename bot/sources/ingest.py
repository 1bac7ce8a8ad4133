"""Idempotent ingestion of knowledge files and web pages into the store, tokenized on all cores."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from bot.core.models import Article
from bot.core.text import TextPipeline
from bot.sources.files import load_article
from bot.sources.folders import newest_change, scan_folder
from bot.sources.knowledge import KnowledgeFileError, scan_knowledge
from bot.sources.parallel import terms_for_all
from bot.store.database import Store

if TYPE_CHECKING:
    from bot.sources.web_import import FetchLimits

log = logging.getLogger(__name__)
# Runs shorter than this many passages finish too fast for a progress bar to help.
PROGRESS_MIN_PASSAGES = 2000
FINGERPRINT_KEY = "pipeline_fingerprint"
INGESTED_AT_KEY = "ingested_at"
READY_VERSION_KEY = "ready_version"
KNOWLEDGE_DIR_KEY = "knowledge_dir"  # the folder the automatic refresh last read
# Bump when an unchanged file would now be read differently (2: `type: faq` files).
LOADER_VERSION = 2


@dataclass
class IngestReport:
    """What one ingest run changed, and which files it could not read."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    passages: int = 0
    errors: list[KnowledgeFileError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"{self.added} tệp mới, {self.updated} cập nhật, {self.unchanged} không đổi, "
            f"{self.removed} gỡ bỏ; {self.passages} đoạn được tách từ ({self.seconds:.1f} s)"
        )


def ingest_fingerprint(pipeline: TextPipeline, max_words: int) -> str:
    """What stored passages depend on besides the files: a change forces a full re-ingest."""
    return f"{pipeline.fingerprint}:w{max_words}:l{LOADER_VERSION}"


def source_name(path: Path) -> str:
    """Stable identity of a file in the DB: its resolved absolute path."""
    return str(path.resolve())


def is_web_source(source: Path | str) -> bool:
    """True for an http(s) address given as text (a Path would already have lost its `//`)."""
    return isinstance(source, str) and source.strip().lower().startswith(("http://", "https://"))


def _load_files(files: list[Path], max_words: int, report: IngestReport) -> list[Article]:
    """Parse each file, reporting (and skipping) the ones that cannot be read."""
    articles: list[Article] = []
    for path in files:
        try:
            articles.append(load_article(path, source_name(path), max_words))
        except KnowledgeFileError as exc:
            report.errors.append(exc)
    return articles


async def _load_web(
    urls: list[str], max_words: int, limits: FetchLimits | None, report: IngestReport
) -> list[Article]:
    """Fetch pages, feeds and sitemaps, reporting the addresses that gave no article."""
    if not urls:
        return []
    # Imported on demand: httpx, feedparser and trafilatura slow every start-up otherwise.
    from bot.sources.web_import import import_urls

    fetched = await import_urls(urls, max_words, limits)
    report.errors += fetched.errors
    return fetched.articles


def _changed(
    articles: Iterable[Article], known: dict[str, str], force: bool, report: IngestReport
) -> list[Article]:
    """The articles whose content hash differs from the stored one."""
    changed: list[Article] = []
    for article in articles:
        previous = known.get(article.source)
        if previous == article.content_hash and not force:
            report.unchanged += 1
            continue
        report.updated += previous is not None
        report.added += previous is None
        changed.append(article)
    return changed


def _gone_sources(
    roots: Sequence[Path], files: list[Path], known: dict[str, str], leaving: Sequence[Path]
) -> list[str]:
    """Stored sources inside an ingested folder whose file no longer exists there.

    Web pages (sources are URLs) are never inside a folder, so only re-importing replaces them.
    """
    present = {source_name(f) for f in files}
    folders = [str(r.resolve()) + "/" for r in roots if r.is_dir()]
    folders += [str(r) + "/" for r in leaving]
    return [s for s in known if s not in present and any(s.startswith(f) for f in folders)]


def _tokenize(
    pipeline: TextPipeline, articles: list[Article], show_progress: bool | None
) -> list[list[str]]:
    texts = [a.title for a in articles] + [p.indexed_text for a in articles for p in a.passages]
    bar = tqdm(
        total=len(texts),
        unit="đoạn",
        desc="Tách từ",
        file=sys.stderr,
        disable=show_progress is False or len(texts) < PROGRESS_MIN_PASSAGES,
    )
    with bar:
        return terms_for_all(pipeline, texts, on_progress=bar.update)


async def _publish(
    store: Store,
    changed: list[Article],
    terms: list[list[str]],
    gone: list[str],
    meta: Mapping[str, str],
) -> tuple[int, int]:
    """Write the new corpus in one transaction; (passages written, articles removed).

    Readers (a running bot, `ask`) see the old corpus or the new one, never a mix, even when
    this process is killed half-way through its writes.
    """
    titles, bodies = terms[: len(changed)], iter(terms[len(changed) :])
    passages = 0
    async with store.transaction():
        for article, title_terms in zip(changed, titles):
            passage_terms = [next(bodies) for _ in article.passages]
            await store.replace_article(article, title_terms, passage_terms)
            passages += len(article.passages)
        removed = await store.delete_articles(gone)
        for key, value in meta.items():
            await store.set_meta(key, value)
        # Only a finished run publishes its corpus: a running bot never loads a half-done ingest.
        await store.set_meta(READY_VERSION_KEY, await store.corpus_version())
    return passages, removed


async def ingest(
    store: Store,
    pipeline: TextPipeline,
    paths: Sequence[Path | str],
    show_progress: bool | None = None,
    max_words: int = 120,
    limits: FetchLimits | None = None,
    leaving: Sequence[Path] = (),
    meta: Mapping[str, str] | None = None,
) -> IngestReport:
    """Bring the store in line with the files under `paths` and the web addresses among them.

    Articles from the folders in `leaving` (a former knowledge folder) are removed as well;
    `meta` is stored in the same transaction as the new corpus.
    """
    meta = meta or {}
    started = time.perf_counter()
    # Stamp the run with the moment files are read, not when it ends: a file saved while a
    # long run tokenizes is then newer than the stamp, and the next refresh picks it up.
    scanned_at = time.time()
    report = IngestReport()
    urls = [str(p).strip() for p in paths if is_web_source(p)]
    roots = [Path(p) for p in paths if not is_web_source(p)]
    files = _scan_roots(roots, report)
    known = await store.article_hashes()
    fingerprint = ingest_fingerprint(pipeline, max_words)
    force = await store.get_meta(FINGERPRINT_KEY) != fingerprint
    # Parsing and tokenizing run in a worker thread: a bot reloading keeps answering meanwhile.
    loaded = await asyncio.to_thread(_load_files, files, max_words, report)
    changed = _changed(loaded, known, force, report)
    changed += _changed(await _load_web(urls, max_words, limits, report), known, force, report)
    terms = await asyncio.to_thread(_tokenize, pipeline, changed, show_progress) if changed else []
    gone = _gone_sources(roots, files, known, leaving)
    stamps = {FINGERPRINT_KEY: fingerprint, INGESTED_AT_KEY: repr(scanned_at)}
    report.passages, report.removed = await _publish(
        store, changed, terms, gone, {**meta, **stamps}
    )
    report.seconds = time.perf_counter() - started
    return report


def _scan_roots(roots: Sequence[Path], report: IngestReport) -> list[Path]:
    """The article files under each root; a root that cannot be read is one error, not the end."""
    files: list[Path] = []
    for root in roots:
        try:
            found, problems = scan_knowledge([root])
        except KnowledgeFileError as exc:
            report.errors.append(exc)
            continue
        files += found
        report.errors += problems
    return files


def newest_mtime(folder: Path) -> float:
    """Latest change in the folder: files edited, added or removed (the dir's own mtime).

    Broken symlinks and unreadable sub-folders are skipped here (ingest names them): a check
    that raised would fail every `ask` and every poll of the bot's folder watch.
    """
    return newest_change(folder, scan_folder(folder))


async def needs_refresh(
    store: Store, pipeline: TextPipeline, knowledge_dir: Path, max_words: int = 120
) -> bool:
    """True when the DB was never filled, or the folder or the pipeline changed since."""
    ingested_at = await store.get_meta(INGESTED_AT_KEY)
    fingerprint = ingest_fingerprint(pipeline, max_words)
    if ingested_at is None or await store.get_meta(FINGERPRINT_KEY) != fingerprint:
        return True
    if not knowledge_dir.is_dir():
        return False
    recorded = await store.get_meta(KNOWLEDGE_DIR_KEY)
    if recorded is not None and recorded != str(knowledge_dir.resolve()):
        return True  # another knowledge folder is configured now
    return newest_mtime(knowledge_dir) > float(ingested_at)


class EmptyKnowledge(Exception):
    """The knowledge folder gives no articles and the database holds none either."""


async def stored_fallback(store: Store, problem: str | None) -> str | None:
    """What to say when the knowledge folder has `problem`: the stored articles still answer,
    or EmptyKnowledge when there are none (every question would look "not found")."""
    if problem is None:
        return None
    articles, _ = await store.counts()
    if not articles:
        raise EmptyKnowledge(problem)
    return f"Lưu ý: {problem}; đang trả lời từ {articles} bài đã nạp trước đó"


async def refresh_folder(
    store: Store,
    pipeline: TextPipeline,
    folder: Path,
    max_words: int = 120,
    show_progress: bool | None = False,
) -> IngestReport:
    """Ingest `folder` as the knowledge folder; a former knowledge folder's articles leave."""
    current = str(folder.resolve())
    previous = await store.get_meta(KNOWLEDGE_DIR_KEY)
    leaving = [Path(previous)] if previous and previous != current else []
    return await ingest(
        store,
        pipeline,
        [folder],
        show_progress,
        max_words,
        leaving=leaving,
        meta={KNOWLEDGE_DIR_KEY: current},
    )
