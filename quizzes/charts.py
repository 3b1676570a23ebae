"""Small accessible charts drawn on the server as inline SVG: bars and a cumulative line.

Each builder returns markup safe to insert: an ``<svg role="img">`` labelled by its ``<title>``
and ``<desc>``, every text passed through ``html.escape``, no scripts and no style attributes
(colours come from classes in ``static/css/site.css``). Pages show the same numbers as a table
next to the chart, for screen readers and for anyone who prefers numbers.
"""

import math
import re
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 420, 190  # user units; the SVG scales to its box (labels stay readable on a phone)
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 30
MAX_X_LABELS = 6


def _id(chart_id: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", chart_id.lower()) or "chart"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def axis_top(peak: float) -> tuple[int, int]:
    """A round top at or above ``peak`` for counts, and the step between gridlines (at most 5)."""
    peak = max(1, math.ceil(peak))
    magnitude = 10 ** math.floor(math.log10(peak))
    for factor in (0.1, 0.2, 0.5, 1, 2, 5, 10):
        step = max(1, round(factor * magnitude))
        if math.ceil(peak / step) <= 5:
            return step * math.ceil(peak / step), step
    return 10 * magnitude, 2 * magnitude


def _frame(chart_id: str, title: str, desc: str, top: float, step: float, body: list[str],
           labels: Sequence[str], x_of) -> SafeString:
    cid = _id(chart_id)
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false" '
        f'aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    ticks = round(top / step)
    for i in range(ticks + 1):
        value = step * i
        y = TOP + plot_h - plot_h * value / top
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart-label" x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{escape(_fmt(value))}</text>")
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text class="chart-label" x="{x_of(i):.1f}" y="{HEIGHT - 10}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts += body
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


def bar_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float]
) -> SafeString:
    """One bar per label; each bar carries its own ``<title>`` (label: value) as a tooltip."""
    top, step = axis_top(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(values))
    gap = min(4.0, slot * 0.2)
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        body.append(
            f'<rect class="chart-bar" x="{LEFT + i * slot + gap / 2:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{slot - gap:.1f}" height="{h:.1f}"><title>{escape(f"{label}: {_fmt(value)}")}</title>'
            "</rect>"
        )
    return _frame(chart_id, title, desc, top, step, body, labels, lambda i: LEFT + (i + 0.5) * slot)


def line_chart(*, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float],
               top: float | None = None) -> SafeString:
    """A line with a point per label over a shaded area (e.g. questions mastered so far)."""
    axis, step = axis_top(max([*values, top or 0], default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(values))

    def x_of(i: int) -> float:
        return LEFT + (i + 0.5) * slot

    points = [(x_of(i), TOP + plot_h - plot_h * v / axis) for i, v in enumerate(values)]
    body = []
    if points:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        base = TOP + plot_h
        body.append(f'<polygon class="chart-area" points="{points[0][0]:.1f},{base} {line} '
                    f'{points[-1][0]:.1f},{base}"/>')
        body.append(f'<polyline class="chart-line" points="{line}"/>')
        for (x, y), label, value in zip(points, labels, values, strict=True):
            body.append(f'<circle class="chart-point" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                        f"<title>{escape(f'{label}: {_fmt(value)}')}</title></circle>")
    return _frame(chart_id, title, desc, axis, step, body, labels, x_of)
