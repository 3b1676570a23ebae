"""Small accessible charts drawn on the server as inline SVG: bars and a cumulative line.

Each builder returns markup safe to insert: an ``<svg role="img">`` labelled by its ``<title>``
and ``<desc>``, written with ``compute.svg`` (which escapes every text), without scripts or style
attributes (colours come from classes in ``static/css/site.css``). Pages show the same numbers as a table
next to the chart, for screen readers and for anyone who prefers numbers.
"""

import math
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from compute import svg

WIDTH, HEIGHT = 420, 190  # user units; the SVG scales to its box (labels stay readable on a phone)
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 30
MAX_X_LABELS = 6


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


MAX_TICKS = 6  # gridlines above zero
MAX_BAR = 36  # user units: one week's bar is a bar, not a block across the chart
VALUE_ROOM = 14  # user units above a bar that its value's text needs


def axis_top(peak: float) -> tuple[int, int]:
    """The lowest round top at or above ``peak`` for counts, with the step between gridlines (at most
    ``MAX_TICKS`` of them): 111 questions get an axis to 120 in steps of 20, not to 150."""
    peak = max(1, math.ceil(peak))
    magnitude = 10 ** math.floor(math.log10(peak))
    for factor in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step < 1 or step != int(step):
            continue
        step = int(step)
        if math.ceil(peak / step) <= MAX_TICKS:
            return step * math.ceil(peak / step), step
    return 10 * magnitude, 2 * magnitude


def _frame(chart_id: str, title: str, desc: str, top: float, step: float, body: list[str],
           labels: Sequence[str], x_of, every: int | None = None) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    ticks = round(top / step)
    for i in range(ticks + 1):
        value = step * i
        y = TOP + plot_h - plot_h * value / top
        parts.append(svg.line(LEFT, y, WIDTH - RIGHT, y, cls="chart-grid"))
        parts.append(svg.text(LEFT - 5, y + 4, _fmt(value), cls="chart-label", text_anchor="end"))
    every = every or max(1, math.ceil(len(labels) / MAX_X_LABELS))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(svg.text(x_of(i), HEIGHT - 10, label, cls="chart-label", text_anchor="middle"))
    parts += body
    drawing = svg.drawing(WIDTH, HEIGHT, parts, title=title, desc=desc, id=chart_id or "chart", cls="chart",
                          focusable=False)
    return mark_safe(drawing)  # compute.svg escapes every text and attribute


def bar_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float], top: float | None = None,
    edges: Sequence[str] | None = None, show_values: bool = False, bar_titles: Sequence[str] | None = None,
    every_label: bool = False,
) -> SafeString:
    """One bar per label, at most ``MAX_BAR`` wide; each bar carries its own ``<title>`` (label: value,
    or its entry of ``bar_titles``) as a tooltip. The axis reaches at least ``top`` (e.g. the number of
    questions). ``every_label`` writes every label, however many bars (short labels: "1", "2", …);
    otherwise at most ``MAX_X_LABELS`` of them.

    ``edges`` (one more than the bars: a histogram's bin boundaries, "0%" … "100%") are written, every
    one of them, under the bars' boundaries instead of the labels under their middles; ``show_values``
    writes each bar's value above it (inside its top when the bar reaches the top of the plot)."""
    top, step = axis_top(max([*values, top or 0], default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(values))
    width = min(slot - min(4.0, slot * 0.2), MAX_BAR)
    if bar_titles is not None and len(bar_titles) != len(values):
        raise ValueError(f"{len(values)} bars need {len(values)} titles, not {len(bar_titles)}")
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x, y = LEFT + (i + 0.5) * slot, TOP + plot_h - h
        tooltip = bar_titles[i] if bar_titles is not None else f"{label}: {_fmt(value)}"
        body.append(svg.rect(x - width / 2, y, width, h, cls="chart-bar", title=tooltip))
        if show_values:
            inside = y - TOP < VALUE_ROOM
            body.append(svg.text(x, y + VALUE_ROOM - 2 if inside else y - 3, _fmt(value), text_anchor="middle",
                                 cls="chart-value chart-value-inside" if inside else "chart-value"))
    if edges is not None:
        if len(edges) != len(values) + 1:
            raise ValueError(f"{len(values)} bars need {len(values) + 1} edges, not {len(edges)}")
        # the last edge's label is pulled in a little so that "100%" is not cut at the border
        return _frame(chart_id, title, desc, top, step, body, edges, lambda i: min(LEFT + i * slot, WIDTH - 14),
                      every=1)
    return _frame(chart_id, title, desc, top, step, body, labels, lambda i: LEFT + (i + 0.5) * slot,
                  every=1 if every_label else None)


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
        base = TOP + plot_h
        body.append(svg.polygon([(points[0][0], base), *points, (points[-1][0], base)], cls="chart-area"))
        body.append(svg.polyline(points, cls="chart-line"))
        for (x, y), label, value in zip(points, labels, values, strict=True):
            body.append(svg.circle(x, y, 3, cls="chart-point", title=f"{label}: {_fmt(value)}"))
    return _frame(chart_id, title, desc, axis, step, body, labels, x_of)
