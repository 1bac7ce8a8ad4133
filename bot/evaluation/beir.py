"""Retrieval quality on a BEIR-style folder: Acc@1, R@5, R@10 and MRR@10 per article.

The index holds passages, as the bot's does; an article ranks where its best passage ranks.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.core.articles import ArticleRanker
from bot.core.index import BM25Index, BM25Params, Postings, Retriever, ScoredDoc
from bot.core.question_kinds import KindReader, QuestionKind, Steering, ranking_kinds, steer
from bot.core.text import WORD_RE, TextPipeline
from bot.evaluation.styles import Style, rewriter
from bot.sources.knowledge import split_passages
from bot.sources.parallel import terms_for_all

SYSTEM_NAME, BASELINE_NAME = "bot này", "rank-bm25 thuần"  # the rows of `eval`'s table


class DatasetError(Exception):
    """The folder is not a readable BEIR dataset."""


@dataclass(frozen=True)
class Dataset:
    doc_ids: list[str]
    titles: list[str]
    texts: list[str]
    queries: dict[str, str]
    qrels: dict[str, set[str]]


@dataclass(frozen=True)
class Metrics:
    name: str
    acc1: float
    recall5: float
    recall10: float
    mrr10: float
    queries: int


def _read_jsonl(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as handle:
            lines = list(enumerate(handle, start=1))
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: {_read_reason(exc)}") from exc
    return [_json_line(path, number, line) for number, line in lines if line.strip()]


def _json_line(path: Path, number: int, line: str) -> dict:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: dòng {number} không phải JSON hợp lệ") from exc


def _read_reason(exc: OSError | UnicodeDecodeError) -> str:
    """Why a dataset file could not be read, in Vietnamese for the usual causes."""
    if isinstance(exc, UnicodeDecodeError):
        return "không phải UTF-8"
    if isinstance(exc, FileNotFoundError):
        return "không có tệp này"
    return f"không đọc được ({exc.strerror or exc})"


def _read_qrels(path: Path) -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = {}
    try:
        with path.open(encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t"):
                if len(row) >= 3 and row[0] != "query-id" and float(row[2]) > 0:
                    qrels.setdefault(row[0], set()).add(row[1])
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: {_read_reason(exc)}") from exc
    except ValueError as exc:
        raise DatasetError(f"{path}: cột điểm (score) phải là số") from exc
    return qrels


def load_dataset(folder: Path) -> Dataset:
    """Read corpus.jsonl, queries.jsonl and qrels.tsv (or qrels/*.tsv)."""
    qrels_path = folder / "qrels.tsv"
    if not qrels_path.exists():
        qrels_path = next(iter(sorted((folder / "qrels").glob("*.tsv"))), qrels_path)
    corpus = _read_jsonl(folder / "corpus.jsonl")
    qrels = _read_qrels(qrels_path)
    try:
        queries = {
            q["_id"]: q["text"] for q in _read_jsonl(folder / "queries.jsonl") if q["_id"] in qrels
        }
        return Dataset(
            doc_ids=[d["_id"] for d in corpus],
            titles=[d.get("title", "") for d in corpus],
            texts=[d.get("text", "") for d in corpus],
            queries=queries,
            qrels=qrels,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        what = f"thiếu trường {exc}" if isinstance(exc, KeyError) else "có trường sai kiểu"
        raise DatasetError(f"{folder}: một bản ghi {what}") from exc


def score_rankings(
    name: str, rankings: dict[str, list[str]], qrels: dict[str, set[str]]
) -> Metrics:
    """Average the per-question metrics over every question with judgements."""
    acc1 = r5 = r10 = mrr = 0.0
    for qid, ranked in rankings.items():
        relevant = qrels[qid]
        acc1 += ranked[:1] != [] and ranked[0] in relevant
        r5 += len(relevant & set(ranked[:5])) / len(relevant)
        r10 += len(relevant & set(ranked[:10])) / len(relevant)
        mrr += next((1 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
    n = max(len(rankings), 1)
    return Metrics(name, acc1 / n, r5 / n, r10 / n, mrr / n, len(rankings))


def _rank_all(
    ds: Dataset,
    query_terms: Callable[[str], Sequence[str]],
    search: Callable[[Sequence[str]], Sequence[int]],
) -> dict[str, list[str]]:
    return {
        qid: [ds.doc_ids[d] for d in search(query_terms(text))] for qid, text in ds.queries.items()
    }


def article_passages(text: str, max_words: int) -> list[str]:
    """An article's passages as the bot indexes them: one paragraph a line, ≤ max_words words."""
    paragraphs = [(None, line.strip()) for line in text.split("\n") if line.strip()]
    # An article without text still has its title to be found by.
    return [p.text for p in split_passages(paragraphs, max_words)] or [""]


Steer = Callable[[list[ScoredDoc]], list[ScoredDoc]]


def top_articles(
    index: Retriever,
    article_of: np.ndarray,
    terms: Sequence[str],
    n: int = 10,
    steer: Steer | None = None,
) -> list[int]:
    """The n best articles, each ranked by its best passage (the bot's own ranking, `steer`
    being what the kind of question does to it)."""
    candidates, k = index.candidates(terms), n * 4
    while True:
        found = candidates.best(k)
        found = steer(found) if steer else found
        articles = list(dict.fromkeys(int(article_of[h.doc]) for h in found))
        if len(articles) >= n or len(found) < k:
            return articles[:n]
        k *= 4


def _steering(
    reader: KindReader,
    asked: tuple[QuestionKind, ...],
    index: BM25Index,
    terms: list[str],
    texts: list[str],
    steering: Steering,
    stopwords: frozenset[str],
    article_of: np.ndarray,
) -> Steer | None:
    """What the kind of question does to the ranking of passages, as in the engine."""
    if not asked:
        return None

    def fit(doc: int) -> tuple[int, int]:
        return reader.fit(asked, texts[doc])

    def steered(found: list[ScoredDoc]) -> list[ScoredDoc]:
        return steer(found, fit, index, terms, article_of, steering, stopwords)

    return steered


def evaluate_pipeline(
    ds: Dataset,
    pipeline: TextPipeline,
    params: BM25Params,
    title_weight: int = 2,
    style: Style = Style.WRITTEN,
    max_words: int = 120,
    steering: Steering | None = Steering(),  # noqa: B008 - immutable
    article_weight: float = 0.0,
) -> Metrics:
    """Our pipeline and index over passages (title × weight + passage), ranked per article;
    `steering` None ranks without the kind of question; `article_weight` adds the whole
    article's BM25 score as the bot does (0: passages alone)."""
    passages = [article_passages(text, max_words) for text in ds.texts]
    article_of = np.repeat(np.arange(len(passages)), [len(p) for p in passages])
    terms = terms_for_all(pipeline, ds.titles + [p for ps in passages for p in ps])
    titles, bodies = terms[: len(ds.titles)], terms[len(ds.titles) :]
    lists = (titles[a] * title_weight + body for a, body in zip(article_of, bodies))
    index = BM25Index(Postings.build(lists), params)
    ranker = ArticleRanker(index, article_of, article_weight)
    reader = KindReader(pipeline) if steering else None
    flat = [p for ps in passages for p in ps]

    def rank(question: str) -> list[int]:
        if reader is None:
            return top_articles(ranker, article_of, pipeline.terms(question))
        reading = reader.read(question)
        terms = pipeline.terms(reading.searched)
        kinds = ranking_kinds(reading.kinds)
        stop = pipeline.folded_stopwords
        steer = _steering(
            reader, kinds, index, terms, flat, steering or Steering(), stop, article_of
        )
        return top_articles(ranker, article_of, terms, steer=steer)

    prepare = rewriter(style, pipeline)
    rankings = {
        qid: [ds.doc_ids[a] for a in rank(prepare(text))] for qid, text in ds.queries.items()
    }
    return score_rankings(SYSTEM_NAME, rankings, ds.qrels)


def plain_syllables(text: str) -> list[str]:
    """The baseline's tokens: lower-cased syllables."""
    return WORD_RE.findall(text.lower())


def evaluate_baseline(ds: Dataset, style: Style = Style.WRITTEN) -> Metrics:
    """Plain rank-bm25 BM25Okapi on lower-cased syllables of title + text."""
    bm25 = BM25Okapi([plain_syllables(f"{t} {x}") for t, x in zip(ds.titles, ds.texts)])
    prepare = rewriter(style, TextPipeline())

    def search(terms: Sequence[str]) -> list[int]:
        scores = bm25.get_scores(terms)
        return sorted(range(len(scores)), key=lambda i: -scores[i])[:10]

    rankings = _rank_all(ds, lambda q: plain_syllables(prepare(q)), search)
    return score_rankings(BASELINE_NAME, rankings, ds.qrels)
