"""Retrieval benchmark: tokenization, index build, memory, latency, start-up, ingest speed.

Method (wall clock, measured in this run; other load on the machine is reported):
- Corpus: ALQAC dev law articles read from /work/shared at run time (blank-line paragraphs cut
  to ≤120 words by split_passages) + the seed article; past ~12.7k real passages, seeded variants
  of real paragraphs (sentences shuffled, one dropped, or two paragraphs spliced). Each size is a
  prefix of the largest corpus, fully tokenized by terms_for_all on all cores (no token-level
  shortcut). Build = Postings.build + BM25Index; memory = tracemalloc current/peak of a second,
  untimed build (numpy buffers included).
- Latency per question (ALQAC queries alternating with their fold() forms, cycled; 5 warm-ups):
  (a) pipeline.terms, (b) BM25Index.search(terms, 10), (c) await KnowledgeBase.ask(q) on SQLite
  filled via Store.replace_article with the computed terms (20 passages + title per article),
  measured in a fresh child process (the bot's own heap, not one holding the benchmark's data).
- Baselines on the same token lists: BM25Okapi.get_scores on max(20, min(questions, 2e6/size))
  questions (speed-up = its p50 / our search p50 on those; scores checked equal), bm25s
  (method="robertson") retrieve(k=10). Start-up: Store.open → KnowledgeBase.open (text pipeline
  included): first open in this process, rebuilding postings from stored terms; then the median
  of 3 fresh child processes loading the snapshot, as a restarting bot does.
  Ingest: bot.ingest.ingest of .md files (50 passages each) into a fresh DB vs single-process
  underthesea.word_tokenize.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import bm25s
import numpy as np
from rank_bm25 import BM25Okapi
from underthesea import word_tokenize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bot.core.index import BM25Index, Postings  # noqa: E402
from bot.core.models import Article, Passage  # noqa: E402
from bot.core.sentences import split_sentences  # noqa: E402
from bot.core.text import TextPipeline, fold  # noqa: E402
from bot.engine import KnowledgeBase, bm25_params  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from bot.sources.files import load_article  # noqa: E402
from bot.sources.ingest import ingest  # noqa: E402
from bot.sources.knowledge import split_passages  # noqa: E402
from bot.sources.parallel import terms_for_all, worker_count  # noqa: E402
from bot.store.database import Store  # noqa: E402

ALQAC = Path("/work/shared/eval/dev/alqac")
SEED_ARTICLE = ROOT / "knowledge" / "chinh-quyen-so-hai-phong.txt"
PER_ARTICLE, INGEST_PASSAGES, INGEST_PER_FILE, WARMUP = 20, 3000, 50, 5
Row = dict[str, str]
logging.getLogger("bm25s").setLevel(logging.WARNING)


class Corpus(NamedTuple):
    texts: list[str]
    titles: list[str]
    real: int  # leading texts that are real passages, not variants


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def variant(rng: random.Random, a: str, b: str) -> str:
    """A new paragraph from real ones: shuffle, drop one sentence, or splice two paragraphs."""
    first, second = split_sentences(a), split_sentences(b)
    op = rng.randrange(3) if len(first) > 1 else 2
    if op == 0:
        rng.shuffle(first)
    elif op == 1:
        del first[rng.randrange(len(first))]
    else:
        first = first[: max(1, len(first) // 2)] + second[len(second) // 2 :]
    return " ".join(first)


def build_corpus(size: int, seed: int = 13) -> Corpus:
    """Seed article, then shuffled real ALQAC passages, then variants up to `size`."""
    paragraphs: list[tuple[str, str]] = []
    with (ALQAC / "corpus.jsonl").open(encoding="utf-8") as fh:
        for doc in map(json.loads, fh):
            paragraphs += [(doc["title"], p) for p in map(str.strip, doc["text"].split("\n\n"))]
    rng, paragraphs = random.Random(seed), [(title, p) for title, p in paragraphs if p]
    real = [(t, p.text) for t, para in paragraphs for p in split_passages([(None, para)])]
    rng.shuffle(real)
    seed_article = load_article(SEED_ARTICLE)
    items = [(seed_article.title, p.text) for p in seed_article.passages] + real
    n_real = len(items)
    while len(items) < size:
        (title, a), (_, b) = rng.choice(paragraphs), rng.choice(paragraphs)
        items += [(title, p.text) for p in split_passages([(None, variant(rng, a, b))])]
    return Corpus([t for _, t in items[:size]], [t for t, _ in items[:size]], min(n_real, size))


def load_questions(n: int) -> list[str]:
    with (ALQAC / "queries.jsonl").open(encoding="utf-8") as fh:
        both = [q for doc in map(json.loads, fh) for q in (doc["text"], fold(doc["text"]))]
    return [both[i % len(both)] for i in range(n)]


async def latencies(fn: Callable[[Any], object], items: Sequence[Any]) -> np.ndarray:
    """Milliseconds per call (awaited when `fn` is async), after untimed warm-up calls."""
    out = []
    for item in [*items[:WARMUP], *items]:
        start = time.perf_counter_ns()
        result = fn(item)
        if inspect.isawaitable(result):
            await result
        out.append(time.perf_counter_ns() - start)
    return np.array(out[len(items[:WARMUP]) :]) / 1e6


def pct(ms: np.ndarray) -> str:
    return f"{np.percentile(ms, 50):.3f} / {np.percentile(ms, 99):.3f}"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


async def fill_db(
    path: Path, corpus: Corpus, token_lists: list[list[str]], pipeline: TextPipeline
) -> float:
    """Write passages with their precomputed terms, 20 per article; returns seconds."""
    store = await Store.open(path)
    start = time.perf_counter()
    for first in range(0, len(token_lists), PER_ARTICLE):
        docs = range(first, min(len(token_lists), first + PER_ARTICLE))
        passages = tuple(Passage(i - first, corpus.texts[i]) for i in docs)
        article = Article(f"bench/{first}", corpus.titles[first], passages, str(first))
        await store.replace_article(
            article, pipeline.terms(article.title), [token_lists[i] for i in docs]
        )
    seconds = time.perf_counter() - start
    await store.close()
    return seconds


async def baselines(
    row: Row,
    index: BM25Index,
    token_lists: list[list[str]],
    q_terms: list[list[str]],
    settings: Settings,
) -> float:
    """rank_bm25 and bm25s on the same token lists; returns the speed-up over get_scores."""
    sub = q_terms[: max(20, min(len(q_terms), 2_000_000 // len(token_lists)))]
    p = bm25_params(settings)
    t_okapi, okapi = timed(lambda: BM25Okapi(token_lists, k1=p.k1, b=p.b, epsilon=p.epsilon))
    okapi_ms = await latencies(okapi.get_scores, sub)
    same = all(np.allclose(index.scores(t), okapi.get_scores(t)) for t in sub[:3])
    del okapi
    ours_ms = await latencies(lambda t: index.search(t, 10), sub)
    speedup = float(np.percentile(okapi_ms, 50) / np.percentile(ours_ms, 50))
    row["BM25Okapi.get_scores p50 / p99 ms (questions)"] = f"{pct(okapi_ms)} ({len(sub)})"
    row["BM25Okapi build s; scores equal to ours"] = f"{t_okapi:.2f}; {'yes' if same else 'NO'}"
    row["speed-up: get_scores p50 / our search p50"] = f"{speedup:.0f}×"
    retriever = bm25s.BM25(method="robertson", k1=settings.bm25_k1, b=settings.bm25_b)
    t_index, _ = timed(lambda: retriever.index(token_lists, show_progress=False))
    bm25s_ms = await latencies(
        lambda t: retriever.retrieve([t], k=10, show_progress=False), q_terms
    )
    row["bm25s (robertson) index s"] = f"{t_index:.2f}"
    row["bm25s retrieve top-10 p50 / p99 ms"] = pct(bm25s_ms)
    return speedup


async def bench_size(
    size: int,
    corpus: Corpus,
    questions: list[str],
    pipeline: TextPipeline,
    settings: Settings,
    workdir: str,
) -> tuple[Row, dict[str, float]]:
    """Every per-size figure, as table cells, plus the raw values the floors are checked on."""
    row: Row = {"passages (real + variants)": f"{size} ({min(size, corpus.real)} real)"}
    log(f"{size}: tokenizing")
    t_tok, token_lists = timed(lambda: terms_for_all(pipeline, corpus.texts[:size]))
    t_build, index = timed(lambda: BM25Index(Postings.build(token_lists), bm25_params(settings)))
    row["vocabulary / postings"] = f"{len(index.term_ids)} / {len(index.weights)}"
    row[f"tokenization s ({worker_count()} workers)"] = f"{t_tok:.2f} ({size / t_tok:.0f}/s)"
    row["index build s (Postings + BM25Index)"] = f"{t_build:.2f}"
    tracemalloc.start()  # a second, untimed build: tracing slows allocation down
    _copy = BM25Index(Postings.build(token_lists), bm25_params(settings))
    current, peak = (n / 2**20 for n in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    del _copy
    row["index tracemalloc current / peak MB"] = f"{current:.1f} / {peak:.1f}"
    row["(a) pipeline.terms p50 / p99 ms"] = pct(await latencies(pipeline.terms, questions))
    q_terms = [pipeline.terms(q) for q in questions]
    ours = await latencies(lambda t: index.search(t, 10), q_terms)
    row["(b) BM25Index.search top-10 p50 / p99 ms"] = pct(ours)
    speedup = await baselines(row, index, token_lists, q_terms, settings)
    log(f"{size}: SQLite")
    db_path = Path(workdir) / f"kb-{size}.sqlite3"
    fill = await fill_db(db_path, corpus, token_lists, pipeline)
    row["DB fill via replace_article s"] = f"{fill:.2f}"
    start = time.perf_counter()  # the first open rebuilds postings from stored terms
    kb = await KnowledgeBase.open(await Store.open(db_path), pipeline, settings)
    rebuild = time.perf_counter() - start
    await kb.store.close()
    del kb
    log(f"{size}: a fresh process, as the bot starts")
    runs = [await asyncio.to_thread(measure_in_child, db_path, questions) for _ in range(3)]
    snapshot = float(np.median([r.startup for r in runs]))
    asks = np.array(runs[0].asks)
    row["start-up s: rebuild from terms / snapshot"] = f"{rebuild:.2f} / {snapshot:.2f}"
    row["(c) KnowledgeBase.ask p50 / p99 ms"] = pct(asks)
    return row, {
        "speedup": speedup,
        "ask_p50": float(np.percentile(asks, 50)),
        "startup": snapshot,
        "startup_rebuild": rebuild,
    }


class ChildRun(NamedTuple):
    startup: float  # seconds from Store.open to a ready KnowledgeBase (pipeline included)
    asks: list[float]  # ms per KnowledgeBase.ask, after warm-ups


async def child_measure(db_path: Path, questions: list[str]) -> ChildRun:
    """What a starting bot does: open the DB and the index from its snapshot, then answer."""
    start = time.perf_counter()
    pipeline, settings = TextPipeline(), load_settings()
    kb = await KnowledgeBase.open(await Store.open(db_path), pipeline, settings)
    startup = time.perf_counter() - start
    asks = await latencies(kb.ask, questions)
    await kb.store.close()
    return ChildRun(startup, asks.tolist())


def measure_in_child(db_path: Path, questions: list[str]) -> ChildRun:
    """child_measure in a new interpreter: no benchmark data in its heap, like the real bot."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as qfile:
        json.dump(questions, qfile, ensure_ascii=False)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(db_path), qfile.name],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(qfile.name)
    return ChildRun(*json.loads(done.stdout.splitlines()[-1]))


async def bench_ingest(corpus: Corpus, pipeline: TextPipeline, workdir: Path) -> tuple[Row, float]:
    """Our full ingest of .md files vs single-process underthesea.word_tokenize, same texts."""
    texts, folder = corpus.texts[:INGEST_PASSAGES], workdir / "ingest"
    folder.mkdir()
    for n, first in enumerate(range(0, len(texts), INGEST_PER_FILE)):
        body = "\n\n".join(texts[first : first + INGEST_PER_FILE])
        text = f"# {corpus.titles[first]}\n\n{body}\n"
        (folder / f"bai-{n:04d}.md").write_text(text, encoding="utf-8")
    store = await Store.open(workdir / "ingest.sqlite3")
    start = time.perf_counter()
    report = await ingest(store, pipeline, [folder], show_progress=False)
    ours = time.perf_counter() - start
    await store.close()
    word_tokenize(texts[0])
    theirs, _ = timed(lambda: [word_tokenize(t) for t in texts])
    return {
        "texts": f"{len(texts)} passages in {n + 1} .md files ({report.passages} stored)",
        "bot.ingest.ingest s (fresh DB, all cores)": f"{ours:.2f}",
        "underthesea.word_tokenize s (1 process)": f"{theirs:.2f}",
        "ratio ours / underthesea": f"{ours / theirs:.2f}",
    }, ours / theirs


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return "\n".join("| " + " | ".join(r) + " |" for r in [header, ["---"] * len(header), *rows])


def machine_info() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")),
        platform.processor(),
    )
    return (
        f"Machine: {model}, {os.cpu_count()} cores ({worker_count()} usable), "
        f"load average now {os.getloadavg()[0]:.1f}; Python {platform.python_version()}; "
        f"numpy {np.__version__}; bm25s {bm25s.__version__}; {platform.platform()}"
    )


def floor_rows(floors: dict[str, float], ingest_ratio: float) -> list[list[str]]:
    """(check, measured, floor, verdict) for each floor the project must meet."""
    checks = [
        ("scoring speed-up vs get_scores", floors["speedup"], 50, True),
        ("KnowledgeBase.ask p50 ms", floors["ask_p50"], 5, False),
        ("start-up s (snapshot exists)", floors["startup"], 3, False),
        ("start-up s (rebuild from terms)", floors["startup_rebuild"], 3, False),
        ("ingest / underthesea time", ingest_ratio, 1.2, False),
    ]
    return [
        [
            name,
            f"{value:.2f}",
            f"{'>=' if at_least else '<='} {floor}",
            "ok" if (value >= floor if at_least else value <= floor) else "**MISSED**",
        ]
        for name, value, floor, at_least in checks
    ]


async def run(args: argparse.Namespace) -> str:
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = f"At start, load average {os.getloadavg()[0]:.1f}."
    pipeline, settings = TextPipeline(), load_settings()
    corpus = build_corpus(max(*sizes, INGEST_PASSAGES))
    questions = load_questions(args.questions)
    rows: dict[int, Row] = {}
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        for size in sizes:
            rows[size], floors = await bench_size(size, corpus, questions, pipeline, settings, tmp)
        ingest_row, ratio = await bench_ingest(corpus, pipeline, Path(tmp))
    table = markdown_table(
        ["metric", *(f"{s:,} passages" for s in sizes)],
        [[m, *(rows[s][m] for s in sizes)] for m in rows[sizes[0]]],
    )
    return (
        "\n\n".join(
            [
                "# Retrieval benchmark",
                started,
                machine_info(),
                f"{len(questions)} questions (ALQAC queries, accented and folded, cycled); "
                "latencies are p50 / p99 per question.",
                table,
                "## Ingest",
                markdown_table(["", "value"], list(ingest_row.items())),
                f"## Floors at {sizes[-1]:,} passages",
                markdown_table(["check", "measured", "floor", "result"], floor_rows(floors, ratio)),
            ]
        )
        + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "retrieval.md")
    parser.add_argument("--child", nargs=2, metavar=("DB", "QJSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        questions = json.loads(Path(args.child[1]).read_text(encoding="utf-8"))
        print(json.dumps(asyncio.run(child_measure(Path(args.child[0]), questions))))
        return 0
    if not all((ALQAC / name).is_file() for name in ("corpus.jsonl", "queries.jsonl")):
        print(
            f"Dataset missing: {ALQAC}/corpus.jsonl and queries.jsonl are needed (ALQAC dev set"
            " under /work/shared); nothing was measured.",
            file=sys.stderr,
        )
        return 2
    print(report := asyncio.run(run(args)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    log(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
