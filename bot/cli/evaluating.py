"""`eval`: ranking quality on a BEIR-style dataset, beside plain rank-bm25."""

from __future__ import annotations

import argparse

from bot.cli.common import EXIT_OK, pipeline_for
from bot.engine import bm25_params
from bot.evaluation.beir import Metrics, evaluate_baseline, evaluate_pipeline, load_dataset
from bot.settings import Settings


def _metrics_table(rows: list[Metrics], folded: bool) -> str:
    head = f"{'':18} {'Acc@1':>7} {'R@5':>7} {'R@10':>7} {'MRR@10':>7}"
    lines = [f"Câu hỏi {'bỏ dấu' if folded else 'có dấu'} ({rows[0].queries} câu)", head]
    lines += [
        f"{m.name:18} {m.acc1:7.3f} {m.recall5:7.3f} {m.recall10:7.3f} {m.mrr10:7.3f}" for m in rows
    ]
    return "\n".join(lines)


async def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    dataset = load_dataset(args.dataset)
    pipeline = pipeline_for(settings)
    rows = [
        evaluate_pipeline(
            dataset, pipeline, bm25_params(settings), settings.title_weight, args.fold
        )
    ]
    if not args.no_baseline:
        rows.append(evaluate_baseline(dataset, args.fold))
    print(_metrics_table(rows, args.fold))
    return EXIT_OK
