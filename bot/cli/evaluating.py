"""`eval`: ranking quality on BEIR-style datasets beside plain rank-bm25, and with `--honesty`
the split-half test of the answer/not-found decision."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

from bot.cli.common import EXIT_OK, EXIT_USAGE, os_reason, pipeline_for, say
from bot.core.confidence import CONFIDENCE_MODEL
from bot.engine import bm25_params
from bot.evaluation.beir import Metrics, evaluate_baseline, evaluate_pipeline, load_dataset
from bot.evaluation.fitting import NEWEST_EVIDENCE, fit
from bot.evaluation.honesty import (
    Corpus,
    Honesty,
    Judged,
    hedged,
    honesty_at,
    judge_all,
    judge_aside,
    judge_small,
    suggested,
    sweep,
)
from bot.evaluation.styles import Style
from bot.settings import Settings


def kb_size(text: str) -> int:
    """argparse type for `--kb-size`: a number of articles, at least 1."""
    try:
        size = int(text)
    except ValueError:
        size = 0
    if size < 1:
        raise argparse.ArgumentTypeError(f"cần một số bài từ 1 trở lên, không phải {text!r}")
    return size


def _style(args: argparse.Namespace) -> Style:
    return Style.CHAT if args.chat else Style.FOLDED if args.fold else Style.WRITTEN


def _metrics_table(rows: list[Metrics], style: Style) -> str:
    head = f"{'':18} {'Acc@1':>7} {'R@5':>7} {'R@10':>7} {'MRR@10':>7}"
    lines = [f"Câu hỏi {style.value} ({rows[0].queries} câu)", head]
    lines += [
        f"{m.name:18} {m.acc1:7.3f} {m.recall5:7.3f} {m.recall10:7.3f} {m.mrr10:7.3f}" for m in rows
    ]
    return "\n".join(lines)


def _honesty_line(h: Honesty) -> str:
    off = f"{h.off_topic_answered}/{h.off_topic}" if h.off_topic else "—"
    return f"{h.threshold:7.2f} {h.right:7.3f} {h.right_top3:12.3f} {h.honest:11.3f} {off:>14}"


def honesty_table(
    judged: list[Judged], threshold: float, style: Style, kb_size: int | None = None
) -> str:
    """The figures at the configured threshold, then a table over thresholds."""
    now = honesty_at(judged, threshold)
    split = "chia đôi kho" if kb_size is None else f"kho nhỏ {kb_size} bài"
    lines = [
        f"Trung thực, {split} — câu hỏi {style.value}",
        f"BOT_MIN_CONFIDENCE={threshold:.2f}: đúng {now.right:.3f} (top 3: {now.right_top3:.3f}), "
        f"trung thực {now.honest:.3f}, "
        f"câu ngoài chủ đề được trả lời {now.off_topic_answered}/{now.off_topic}; "
        f"câu có bài được trả lời {now.answered:.3f}",
        f"{'ngưỡng':>7} {'đúng':>7} {'đúng (top 3)':>12} {'trung thực':>11} {'ngoài chủ đề':>14}",
    ]
    return "\n".join(lines + [_honesty_line(h) for h in sweep(judged)])


def hedging_line(judged: list[Judged], settings: Settings) -> str:
    """How right the answers said to be unsure are, beside the plain ones."""
    got = hedged(judged, settings.min_confidence, settings.sure_confidence)
    return (
        f"Trả lời kèm lời dè dặt (dưới BOT_SURE_CONFIDENCE={settings.sure_confidence:.2f}): "
        f"{got.unsure} câu, đúng (top 3) {got.unsure_right:.3f}; "
        f"trả lời chắc: {got.sure} câu, đúng (top 3) {got.sure_right:.3f}"
    )


def suggestion_line(judged: list[Judged], settings: Settings) -> str:
    """What the "not found"s offered at the configured thresholds."""
    got = suggested(judged, settings.min_confidence)
    missed = (
        f"{got.missed} câu có bài mà không được trả lời: được gợi ý đúng bài {got.gold:.3f}, "
        f"được gợi ý bài nào đó {got.any:.3f}"
        if got.missed
        else "không có câu nào có bài mà không được trả lời"
    )
    return (
        f"Gợi ý khi không trả lời (BOT_SUGGEST_CONFIDENCE={settings.suggest_confidence:.2f}): "
        f"{missed}; câu ngoài chủ đề được gợi ý {got.off_topic}/{got.off_topic_asked}"
    )


def unclear_line(judged: list[Judged]) -> str:
    """How many askings named no topic and were asked back instead of judged."""
    unclear = sum(j.unclear for j in judged)
    return f"Câu chưa nói rõ chủ đề (được hỏi lại, không trả lời): {unclear}/{len(judged)}"


def _off_topic(path: Path | None) -> list[str]:
    """One question a line; `#` lines are comments."""
    if path is None:
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class OffTopicLists(NamedTuple):
    """The list the tables and the fit use, and lists kept aside, each only counted."""

    first: list[str]
    aside: list[tuple[Path, list[str]]]


def _off_topic_lists(paths: list[Path] | None) -> OffTopicLists:
    """Every `--off-topic` file read; raises OSError or UnicodeDecodeError (with the path)."""
    read = []
    for path in paths or []:
        try:
            read.append((path, _off_topic(path)))
        except (OSError, UnicodeDecodeError) as exc:
            exc.add_note(str(path))
            raise
    return OffTopicLists(read[0][1] if read else [], read[1:])


def aside_line(path: Path, judged: list[Judged], threshold: float) -> str:
    """How many askings of a list kept aside were answered at the configured threshold."""
    got = honesty_at(judged, threshold)
    return (
        f"Danh sách để riêng {path.name}: câu ngoài chủ đề được trả lời "
        f"{got.off_topic_answered}/{got.off_topic}"
    )


async def _retrieval(args: argparse.Namespace, settings: Settings, folder: Path) -> None:
    dataset, pipeline = load_dataset(folder), pipeline_for(settings)
    params, weight = bm25_params(settings), settings.title_weight
    rows = [
        evaluate_pipeline(
            dataset, pipeline, params, weight, _style(args), article_weight=settings.article_weight
        )
    ]
    if not args.no_baseline:
        rows.append(evaluate_baseline(dataset, _style(args)))
    print(_metrics_table(rows, _style(args)))


def _honesty(args: argparse.Namespace, settings: Settings, lists: OffTopicLists) -> list[Judged]:
    """Each dataset's table; returns every judgement (both spellings with --fit) for fitting."""
    pooled: list[Judged] = []
    curves: dict[str, list[Honesty]] = {}
    for folder in args.datasets:
        corpus = Corpus(load_dataset(folder), pipeline_for(settings), settings)
        for style in (Style.WRITTEN, Style.FOLDED) if args.fit else (_style(args),):
            if args.kb_size:
                judged = judge_small(corpus, args.kb_size, style, lists.first)
            else:
                judged = judge_all(corpus, style, lists.first)
            table = honesty_table(judged, settings.min_confidence, style, args.kb_size)
            lines = [
                table,
                hedging_line(judged, settings),
                suggestion_line(judged, settings),
                unclear_line(judged),
            ]
            for path, texts in lists.aside:
                aside = judge_aside(corpus, texts, args.kb_size, style)
                lines.append(aside_line(path, aside, settings.min_confidence))
            print(f"{folder}\n" + "\n".join(lines) + "\n")
            pooled += judged
            label = "" if style is Style.WRITTEN else f" ({style.value})"
            curves[f"{folder.name}{label}"] = sweep(judged)
    if args.plot:
        from bot.evaluation.honesty_plot import write_curve  # matplotlib on demand

        write_curve(curves, settings.min_confidence, args.plot)
        say(f"Đã vẽ đường đúng–trung thực vào {args.plot}")
    return pooled


async def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if not args.honesty:
        for folder in args.datasets:
            await _retrieval(args, settings, folder)
        return EXIT_OK
    try:
        lists = _off_topic_lists(args.off_topic)
    except (OSError, UnicodeDecodeError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else "không phải UTF-8"
        say(f"Không đọc được danh sách câu ngoài chủ đề {exc.__notes__[-1]}: {reason}")
        return EXIT_USAGE
    pooled = _honesty(args, settings, lists)
    if args.fit:
        print(f"Mô hình độ tin cậy khớp trên {len(pooled)} lượt hỏi:\n{fit(pooled)}")
        kept = fit(pooled, keep=CONFIDENCE_MODEL, new=NEWEST_EVIDENCE)
        print(f"Giữ mô hình đang dùng, chỉ khớp {', '.join(NEWEST_EVIDENCE)}:\n{kept}")
    return EXIT_OK
