"""Live reload: keep the serving index in step with knowledge/ and with ingests beside the bot."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.engine import KnowledgeBase
from bot.sources.folders import scan_folder
from bot.sources.ingest import READY_VERSION_KEY, IngestReport, ingest, needs_refresh
from bot.store.database import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    """What one reload did: the ingest run (if any), whether a new index went live, or why not."""

    report: IngestReport | None
    swapped: bool
    passages: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


FolderState = frozenset[tuple[str, int, int]]


def folder_state(folder: Path) -> FolderState:
    """Every visible file with its size and mtime: a removed or edited file always changes it.

    Timestamps alone are not enough: the kernel's file clock ticks every few milliseconds, so a
    file removed right after a failed ingest can leave the newest timestamp as it was.
    """
    return frozenset((e.relative, e.mtime_ns, e.size) for e in scan_folder(folder).entries)


class Reloader:
    """Ingests and swaps one at a time; a failure leaves the old index serving."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.settings = kb.settings
        self._lock = asyncio.Lock()
        self._failed_stamp: FolderState | None = None  # folder of the last failed ingest

    async def refresh(self) -> ReloadResult:
        """Ingest knowledge/ into the DB, build the new index aside, then swap it in."""
        async with self._lock:
            folder = self.settings.knowledge_dir
            stamp = folder_state(folder) if folder.is_dir() else None
            # Its own connection: the bot's question log commits on the shared one meanwhile.
            store = await Store.open(self.settings.db_path)
            try:
                report = await ingest(
                    store, self.kb.pipeline, [folder], False, self.settings.max_passage_words
                )
                swapped = await self.kb.reload(store)
            except Exception as exc:  # whatever broke, the old index keeps serving
                self._failed_stamp = stamp
                log.error("Nạp lại thất bại, chỉ mục cũ vẫn phục vụ: %r", exc, exc_info=exc)
                return ReloadResult(None, False, len(self.kb.loaded.index), str(exc))
            finally:
                await store.close()
            self._failed_stamp = None
            return ReloadResult(report, swapped, len(self.kb.loaded.index))

    async def poll(self) -> ReloadResult | None:
        """One watch step: ingest a changed knowledge/, or load what another process ingested."""
        if self._lock.locked():
            return None
        settings, store = self.settings, self.kb.store
        folder = settings.knowledge_dir
        changed = await needs_refresh(store, self.kb.pipeline, folder, settings.max_passage_words)
        if changed and not self._retrying_same_failure(folder):
            return await self.refresh()
        ready = await store.get_meta(READY_VERSION_KEY)
        if ready is None or ready == self.kb.loaded.version:
            return None
        async with self._lock:
            swapped = await self.kb.reload()
        return ReloadResult(None, swapped, len(self.kb.loaded.index))

    def _retrying_same_failure(self, folder: Path) -> bool:
        """A failed ingest is retried when the folder changes again, not every poll."""
        if self._failed_stamp is None or not folder.is_dir():
            return False
        return folder_state(folder) == self._failed_stamp
