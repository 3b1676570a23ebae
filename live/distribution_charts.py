"""A distribution (``live.distribution``) as pages show it: a bar chart (``progress.charts``) and the same
figures as a table, with the choices' rendered texts and the named mistakes' messages.

The presenter's stage and the results page both use it. Labels come from
``progress.answer_labels.question_labels`` (rendered and sanitized author texts); a typed answer is text,
escaped by the chart (``compute.svg``) and by the template.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString

from live.distribution import Distribution
from progress import charts
from progress.answer_labels import QuestionLabels

CHART_LABEL_CHARACTERS = 12  # a longer text is cut under its bar (the table has it whole)


@dataclass(frozen=True)
class DistributionRow:
    label: str  # "A", "0.25–0.3", the typed text (whole; cut under its bar), "right"
    text: SafeString | str  # choices: the choice's rendered text; else ""
    count: int
    share: float
    correct: bool | None


@dataclass(frozen=True)
class MistakeRow:
    name: str
    message: SafeString | None  # rendered; None for a mistake the kind no longer knows
    count: int
    share: float


@dataclass(frozen=True)
class DistributionDisplay:
    distribution: Distribution
    chart: SafeString | None  # None while no answer is graded (or no bar can be shown)
    rows: list[DistributionRow]
    mistakes: list[MistakeRow]


def _bar_label(bar) -> str:
    label = bar.label
    if len(label) > CHART_LABEL_CHARACTERS:
        label = label[: CHART_LABEL_CHARACTERS - 1] + "…"
    return label + (" ✓" if bar.correct else "")


def distribution_display(distribution: Distribution, labels: QuestionLabels | None, *, chart_id: str,
                         title: str) -> DistributionDisplay:
    """The chart and tables of ``distribution``; ``labels`` are its question's (``question_labels``)."""
    choice_texts = {str(cid): text for cid, (_, text) in labels.choices.items()} if labels else {}
    rows = [
        DistributionRow(bar.label, choice_texts.get(bar.key, "") if distribution.shape == "choices" else "",
                        bar.count, bar.share, bar.correct)
        for bar in distribution.bars
    ]
    known = labels.mistakes if labels else {}
    mistakes = [MistakeRow(m.name, known.get(m.name), m.count, m.share) for m in distribution.mistakes]
    chart = None
    if distribution.graded and distribution.bars:
        bar_labels = [_bar_label(bar) for bar in distribution.bars]
        titles = [f"{label}: {bar.count} ({bar.share:.0%})" for label, bar in zip(bar_labels, distribution.bars,
                                                                                   strict=True)]
        chart = charts.bar_chart(
            chart_id=chart_id, title=title, labels=bar_labels, values=[bar.count for bar in distribution.bars],
            show_values=True, bar_titles=titles, every_label=distribution.shape != "numbers",
            desc=f"Answers of {distribution.graded} student{'s' if distribution.graded != 1 else ''}: "
                 + "; ".join(titles) + ".",
        )
    return DistributionDisplay(distribution, chart, rows, mistakes)
