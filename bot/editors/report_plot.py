"""The report as a chart: questions per day (bars) and the answer rate (line, right axis)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, DayLocator, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.editors.reports import Report

# A Figure on its own Agg canvas: no pyplot global state, no display needed, thread-safe.
BAR_COLOR, LINE_COLOR = "#4c72b0", "#dd8452"
MAX_TICKS = 12
MARKED_DAYS = 62


def _figure(report: Report) -> Figure:
    width = min(16.0, max(7.0, 2 + 0.25 * len(report.days)))
    figure = Figure(figsize=(width, 4.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def write_plot(report: Report, path: Path) -> None:
    """Save the chart as PNG at `path` (whatever its suffix); days without questions show 0."""
    figure = _figure(report)
    bars = figure.add_subplot()
    days = np.array([d.day for d in report.days], dtype="datetime64[D]")
    asked = [d.asked for d in report.days]
    bars.bar(days, asked, color=BAR_COLOR, label="Câu hỏi")
    bars.set_ylabel("Câu hỏi mỗi ngày")
    # Headroom above the tallest bar keeps the legend off the bars.
    bars.set_ylim(0, max(asked, default=0) * 1.3 or 1)
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    rates = [math.nan if d.rate is None else d.rate * 100 for d in report.days]
    line = bars.twinx()
    marker = "o" if len(days) <= MARKED_DAYS else None  # dots would merge on long spans
    line.plot(days, rates, color=LINE_COLOR, marker=marker, label="Tỉ lệ trả lời (%)")
    line.set_ylim(0, 105)
    line.set_ylabel("Tỉ lệ trả lời (%)")
    bars.set_xlim(date2num(days[0]) - 0.6, date2num(days[-1]) + 0.6)
    bars.xaxis.set_major_locator(DayLocator(interval=math.ceil(len(days) / MAX_TICKS)))
    bars.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    title = f"Câu hỏi và tỉ lệ trả lời, {report.since_days} ngày"
    if not report.asked:
        title += " (chưa có câu hỏi)"
    bars.set_title(title)
    handles = bars.get_legend_handles_labels()[0] + line.get_legend_handles_labels()[0]
    # On the twin axis, which is drawn last, so the rate line never crosses the legend.
    line.legend(handles=handles, loc="upper left", ncols=2)
    figure.savefig(path, format="png")
