"""Tokenize many texts on all cores: underthesea is CPU-bound and single-threaded."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.core.text import Features, TextPipeline

# Below this many texts a process pool costs more than it saves.
PARALLEL_THRESHOLD = 400
CHUNK = 64

_worker_pipeline: TextPipeline | None = None


def _init_worker(
    features: Features, abbreviations_file: Path | None, shorthand_file: Path | None
) -> None:
    global _worker_pipeline
    _worker_pipeline = TextPipeline(features, abbreviations_file, shorthand_file)


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
    args = (pipeline.features, pipeline.abbreviations_file, pipeline.shorthand_file)
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=args) as pool:
        for chunk, chunk_terms in zip(chunks, pool.map(_terms_chunk, chunks)):
            results.extend(chunk_terms)
            if on_progress:
                on_progress(len(chunk))
    return results
