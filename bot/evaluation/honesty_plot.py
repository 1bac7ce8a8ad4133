"""The right-vs-honest curve over thresholds, so an office can choose its own trade-off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.evaluation.honesty import Honesty

COLORS = ("#1f6f8b", "#d1495b", "#66a182", "#edae49", "#6c4f9e", "#444444")


def write_curve(curves: Mapping[str, Sequence[Honesty]], chosen: float, path: Path) -> None:
    """PNG at `path`: honest (x) against right (y) per threshold, one line a dataset."""
    figure = Figure(figsize=(6.5, 4.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for (name, rows), color in zip(curves.items(), COLORS * 4):
        axes.plot(
            [r.honest for r in rows], [r.right for r in rows], marker=".", color=color, label=name
        )
        best = min(rows, key=lambda r: abs(r.threshold - chosen))
        axes.plot([best.honest], [best.right], marker="*", markersize=13, color=color)
    axes.set_title(f"Đúng và trung thực theo ngưỡng (★ = BOT_MIN_CONFIDENCE {chosen:.2f})")
    axes.set_xlabel("Trung thực (không có bài → “không tìm thấy”)")
    axes.set_ylabel("Đúng (có bài → trả lời, trích đúng bài)")
    axes.set_xlim(0, 1.02)
    axes.set_ylim(0, 1.02)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, format="png")
