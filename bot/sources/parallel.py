"""Tokenize many texts on all cores: underthesea is CPU-bound and single-threaded."""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.core.text import Features, TextPipeline

# Below this many texts a process pool costs more than it saves.
PARALLEL_THRESHOLD = 400
CHUNK = 64

_worker_pipeline: TextPipeline | None = None


def _init_worker(
    parent: int, features: Features, abbreviations_file: Path | None, shorthand_file: Path | None
) -> None:
    global _worker_pipeline
    # A parent killed with SIGKILL never shuts the pool down, and the workers' task queue
    # stays open (they all hold it): without this watch they would wait for work forever.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _worker_pipeline = TextPipeline(features, abbreviations_file, shorthand_file)


def _exit_with(parent: int) -> None:
    """Block until process `parent` has ended, then end this worker process at once."""
    try:
        watch = os.pidfd_open(parent)  # Linux 5.3+: readable when the process ends
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # other systems: look every second
        while _alive(parent):
            time.sleep(1)
    else:
        select.select([watch], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists
        return True
    return True


def _terms_chunk(texts: Sequence[str]) -> list[list[str]]:
    assert _worker_pipeline is not None
    return [_worker_pipeline.terms(t) for t in texts]


def worker_count() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def terms_for_all(
    pipeline: TextPipeline,
    texts: Sequence[str],
    on_progress: Callable[[int], object] | None = None,
    workers: int | None = None,
) -> list[list[str]]:
    """Terms of every text, in order; uses a process pool when the batch is large."""
    workers = workers or worker_count()
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    results: list[list[str]] = []
    if workers < 2 or len(texts) < PARALLEL_THRESHOLD:
        for chunk in chunks:
            results.extend(pipeline.terms(t) for t in chunk)
            if on_progress:
                on_progress(len(chunk))
        return results
    args = (os.getpid(), pipeline.features, pipeline.abbreviations_file, pipeline.shorthand_file)
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=args) as pool:
        for chunk, chunk_terms in zip(chunks, pool.map(_terms_chunk, chunks)):
            results.extend(chunk_terms)
            if on_progress:
                on_progress(len(chunk))
    return results
