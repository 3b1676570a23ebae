"""What the room answered to a question of a live session: counts, the right share and the distribution
the presenter shows, from each student's last answer given in the session to it.

Only the course's students count (staff trying the phone page do not), as on the statistics pages. No
figure names a student: bars are counts, and a typed text is shown only when at least ``MIN_SAME_TEXT``
students gave it (a text typed by one student could name them; it counts under ``others``).

The shape follows what the question's kind says about itself (no kind is named here):

- ``choices`` (``has_choices``): a bar per choice, in the order students see them; a student who
  picked several counts under each, so shares (of the graded answers) may add up to more than 1;
- ``outcomes`` (``is_computed``: every student has their own numbers, values cannot be pooled):
  right, partly right and wrong, and each named mistake's share;
- ``numbers`` (every graded value a number): a histogram of the values (``number_bars``);
- ``texts`` (anything else, true/false too): the answers as the kind's ``normaliser`` groups them.

Before the reveal (``revealed=False``) nothing tells which answer of a fixed question is right: its
``right``/``partial``/``wrong`` are None and no bar is marked ``correct``. Computed questions show
their outcomes and named mistakes whenever shown: each student had their own answer.
"""

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from django.db.models import QuerySet

from courses.models import Enrolment
from live.models import LiveAnswer, LiveItem
from quizzes import mastery
from quizzes.models import Question, Submission

MIN_SAME_TEXT = 2  # a typed text is shown once this many students gave it
MAX_TEXT_BARS = 8
MAX_NUMBER_BARS = 8
TRIM = 0.05  # numbers: the histogram spans the values between these quantiles; the rest are "< …"/"> …"


@dataclass(frozen=True)
class LastAnswer:
    """A student's last answer given in the session to one question (a loaded row, for ``mastery``)."""

    student_id: int
    status: str
    score: float | None
    raw: str
    value: object
    mistake: str

    @property
    def is_correct(self) -> bool:
        return mastery.is_correct(self)


@dataclass(frozen=True)
class Bar:
    key: str  # the choice id, the bin's bounds, the text or the outcome
    label: str  # short, under the bar: "A", "0.25–0.3", the text, "right"
    count: int
    share: float  # of the graded answers
    correct: bool | None = None  # None before the reveal (and for outcomes)


@dataclass(frozen=True)
class MistakeShare:
    name: str
    count: int
    share: float  # of the graded answers


@dataclass(frozen=True)
class Distribution:
    shape: str  # "choices", "outcomes", "numbers" or "texts"
    answered: int  # students with an answer given in the session to the question
    graded: int  # of them, those whose last answer is graded: the bars count these
    pending: int  # last answer not graded yet (or its grading failed)
    invalid: int  # last answer could not be read (e.g. letters in a number box)
    bars: tuple[Bar, ...]
    mistakes: tuple[MistakeShare, ...] = ()
    right: int | None = None  # None before the reveal of a fixed question
    partial: int | None = None
    wrong: int | None = None
    others: int = 0  # texts: graded answers not shown as a bar (rare texts, beyond MAX_TEXT_BARS)

    @property
    def right_share(self) -> float | None:
        return self.right / self.graded if self.right is not None and self.graded else None

    def as_json(self) -> dict:
        return {**asdict(self), "right_share": self.right_share}


def students_of(course) -> QuerySet:
    """The students of ``course`` (a Course or its id), as a subquery of user ids."""
    return Enrolment.objects.filter(course=course, role=Enrolment.Role.STUDENT).values("user_id")


def last_answers(items: list[LiveItem], *, course) -> dict[int, list[LastAnswer]]:
    """Item id -> each student's last answer given in the session to it, for ``items`` of a session of
    ``course``; only the course's students. One query."""
    rows = (LiveAnswer.objects.filter(item__in=items, submission__variant__student__in=students_of(course))
            .order_by("submission__created_at", "submission__id")
            .values_list("item_id", "submission__variant__student_id", "submission__status", "submission__score",
                         "submission__raw", "submission__value", "submission__mistake"))
    last: dict[int, dict[int, LastAnswer]] = defaultdict(dict)
    for item_id, student_id, *fields in rows:
        last[item_id][student_id] = LastAnswer(student_id, *fields)  # a later answer replaces an earlier one
    return {item.id: list(last[item.id].values()) for item in items}


def answered_count(item: LiveItem, *, course) -> int:
    """Students of ``course`` with an answer given in the session to ``item``."""
    answers = LiveAnswer.objects.filter(item=item, submission__variant__student__in=students_of(course))
    return answers.values("submission__variant__student_id").distinct().count()


def distribution(question: Question, answers: list[LastAnswer], *, revealed: bool) -> Distribution:
    """The distribution of ``answers`` (``last_answers``' for ``question``; its choices prefetched or not)."""
    graded = [a for a in answers if a.status == Submission.Status.GRADED]
    invalid = sum(a.status == Submission.Status.INVALID for a in answers)
    right = sum(a.is_correct for a in graded)
    partial = sum(not a.is_correct and (a.score or 0) > 0 for a in graded)
    counts = {"answered": len(answers), "graded": len(graded), "pending": len(answers) - len(graded) - invalid,
              "invalid": invalid}
    kind = question.kind_spec
    if kind.is_computed:
        outcomes = (("right", "right", right), ("partial", "partly right", partial),
                    ("wrong", "wrong", len(graded) - right - partial))
        bars = tuple(Bar(key, label, n, _share(n, graded)) for key, label, n in outcomes)
        named = Counter(a.mistake for a in graded if a.mistake and not a.is_correct).most_common()
        mistakes = tuple(MistakeShare(name, n, _share(n, graded)) for name, n in named)
        return Distribution("outcomes", **counts, bars=bars, mistakes=mistakes, right=right, partial=partial,
                            wrong=len(graded) - right - partial)
    marks = {"right": right, "partial": partial, "wrong": len(graded) - right - partial} if revealed else {}
    if kind.has_choices:
        return Distribution("choices", **counts, bars=choice_bars(question, graded, revealed=revealed), **marks)
    if graded and all(_is_number(a.value) for a in graded):
        return Distribution("numbers", **counts, bars=number_bars(graded, revealed=revealed), **marks)
    bars, others = text_bars(question, graded, revealed=revealed)
    return Distribution("texts", **counts, bars=bars, others=others, **marks)


def _share(count: int, of: list) -> float:
    return count / len(of) if of else 0.0


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def choice_bars(question: Question, graded: list[LastAnswer], *, revealed: bool) -> tuple[Bar, ...]:
    """A bar per choice (letters A, B, … in the order students see them): the students who picked it."""
    picked = Counter(cid for a in graded if isinstance(a.value, list) for cid in set(a.value))
    choices = sorted(question.choices.all(), key=lambda c: (c.position, c.id))
    return tuple(
        Bar(str(c.id), letter(i), picked[c.id], _share(picked[c.id], graded), c.is_correct if revealed else None)
        for i, c in enumerate(choices)
    )


def letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def number_text(value: float) -> str:
    return f"{value:.4g}"


def number_bars(graded: list[LastAnswer], *, revealed: bool) -> tuple[Bar, ...]:
    """Numbers as bars: one per value (to 4 significant digits) when there are at most
    ``MAX_NUMBER_BARS`` of them, else a histogram of equal bins between the ``TRIM`` and ``1 - TRIM``
    quantiles with a "< low" and a "> high" bar for the values beyond (one far-off typo must not squeeze
    every other answer into one bin). A bar is ``correct`` (after the reveal) when a right answer is in it."""
    values = sorted((float(a.value), a.is_correct) for a in graded)
    distinct = sorted({number_text(v) for v, _ in values}, key=float)
    if len(distinct) <= MAX_NUMBER_BARS:
        groups = {text: [item for item in values if number_text(item[0]) == text] for text in distinct}
        return tuple(_number_bar(text, text, members, graded, revealed) for text, members in groups.items())
    n = len(values)
    low, high = values[int(TRIM * n)][0], values[max(0, math.ceil((1 - TRIM) * n) - 1)][0]
    if low == high:
        low, high = values[0][0], values[-1][0]
    width = (high - low) / MAX_NUMBER_BARS
    edges = [low + i * width for i in range(MAX_NUMBER_BARS)] + [high]
    below = [item for item in values if item[0] < low]
    above = [item for item in values if item[0] > high]
    bars = [_number_bar("below", f"< {number_text(low)}", below, graded, revealed)] if below else []
    for i in range(MAX_NUMBER_BARS):
        last = i == MAX_NUMBER_BARS - 1  # the last bin includes its upper edge
        members = [item for item in values
                   if edges[i] <= item[0] and (item[0] < edges[i + 1] or (last and item[0] <= high))]
        label = f"{number_text(edges[i])}–{number_text(edges[i + 1])}"
        bars.append(_number_bar(label, label, members, graded, revealed))
    if above:
        bars.append(_number_bar("above", f"> {number_text(high)}", above, graded, revealed))
    return tuple(bars)


def _number_bar(key: str, label: str, members: list, graded: list, revealed: bool) -> Bar:
    correct = any(is_correct for _, is_correct in members) if revealed else None
    return Bar(key, label, len(members), _share(len(members), graded), correct)


def text_bars(question: Question, graded: list[LastAnswer], *, revealed: bool) -> tuple[tuple[Bar, ...], int]:
    """The most common answers as the kind groups them, and how many graded answers are not shown: a
    typed text (a string value) given by fewer than ``MIN_SAME_TEXT`` students, and beyond
    ``MAX_TEXT_BARS`` bars."""
    normalise = question.kind_spec.normaliser(question)
    groups: dict[str, list[LastAnswer]] = defaultdict(list)
    for answer in graded:
        groups[normalise(answer.raw, answer.value)].append(answer)
    shown = [(key, members) for key, members in groups.items()
             if len(members) >= MIN_SAME_TEXT or not isinstance(members[0].value, str)]
    shown = sorted(shown, key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_TEXT_BARS]
    bars = tuple(Bar(key, key, len(members), _share(len(members), graded),
                     any(a.is_correct for a in members) if revealed else None) for key, members in shown)
    return bars, len(graded) - sum(bar.count for bar in bars)


@dataclass(frozen=True)
class ItemResult:
    item: LiveItem
    distribution: Distribution


def session_results(session) -> list[ItemResult]:
    """Every question of ``session`` in order with its distribution as after the reveal (the results page
    and the API). Three queries whatever the number of questions and answers."""
    items = list(LiveItem.objects.filter(session=session).select_related("question")
                 .prefetch_related("question__choices").order_by("position"))
    answers = last_answers(items, course=session.course_id)
    return [ItemResult(item, distribution(item.question, answers[item.id], revealed=True)) for item in items]
