"""How a multi-step answer reads as steps: the one reading of its stored value and marks, for the
statistics, the API and the results exports.

A question whose kind asks named steps (``quizzes.kinds.multi_step``: its kind has ``asked``) stores
each answer as ``Submission.value`` = {"answers": {step: number | nested list | None}, "shown":
[steps shown on request]} and, once graded, ``Submission.step_marks``: per asked step, in the asked
order, {"step", "mark", "credit", "message", "mistake"} (``quizzes.step_grading``).

``question_steps`` says which steps a question asks now, ``step_answers`` joins one answer's value
and marks into a row per step, and ``steps_text`` writes those rows on one line (a spreadsheet cell).
Pure functions: no queries.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from quizzes.kinds.base import number_key

MARKS = ("right", "carried", "wrong", "shown", "blank")  # ``quizzes.step_grading``'s marks, in table order


@dataclass(frozen=True)
class QuestionStep:
    """One step a question asks: its position (from 1), generator name, LaTeX symbol and title, and for
    a choice step its options as plain text (its answers are their indices, from 0)."""

    number: int
    name: str
    symbol: str
    title: str
    options: tuple[str, ...] = ()


def question_steps(question) -> list[QuestionStep]:
    """The steps ``question`` asks now, in order: [] for a kind without steps, and while its generator
    or config is broken (the kind's own ``check`` reports that to the author)."""
    kind = question.kind_spec
    if not kind.has_steps:
        return []
    try:
        asked = kind.asked(question)
        specs = kind.specs(question)
    except (KeyError, ValueError, TypeError):  # an unknown generator is a KeyError, a bad config a ValueError
        return []
    return [QuestionStep(n, step.name, step.symbol, specs[step.name].title if step.name in specs else "",
                         tuple(" ".join(option.split()) for option in getattr(specs.get(step.name), "options", ())))
            for n, step in enumerate(asked, 1)]


@dataclass(frozen=True)
class StepAnswer:
    """One step of one answer."""

    number: int  # position in the answer's order, from 1
    step: str
    answer: object  # the value given: a number or nested lists; None when blank or shown
    mark: str  # one of MARKS; "" while the answer is not graded
    credit: float | None  # share of the step's weight earned; None while not graded
    mistake: str  # the named slip the step matched ("" for none)
    shown: bool  # shown on request (guided mode): the student has seen its exact value


def step_answers(value, step_marks, order: Sequence[str] = ()) -> list[StepAnswer]:
    """The steps of one answer: those of ``step_marks`` in their (asked) order once graded; before,
    the answered steps in ``order`` (the asked names), then any others in the answer's own order.
    [] for a value that is not a multi-step answer (another kind's, invalid input's None)."""
    answers = value.get("answers") if isinstance(value, dict) else None
    answers = answers if isinstance(answers, dict) else {}
    shown = set(value.get("shown") or ()) if isinstance(value, dict) else set()
    marks = [m for m in step_marks or () if isinstance(m, dict) and "step" in m]
    if marks:
        names = [m["step"] for m in marks]
    else:
        names = [name for name in order if name in answers]
        names += [name for name in answers if name not in names]
    by_step = {m["step"]: m for m in marks}
    rows = []
    for number, name in enumerate(names, start=1):
        mark = by_step.get(name, {})
        rows.append(StepAnswer(number, name, answers.get(name), mark.get("mark", ""), mark.get("credit"),
                               mark.get("mistake") or "", name in shown))
    return rows


def value_text(value, options: Sequence[str] = ()) -> str:
    """A step's value in a few characters: numbers to 6 significant digits, a vector's entries joined
    with "; ", a matrix's rows in brackets ("[1; 2]; [3; 4]"); a choice step's option by its text."""
    if options and isinstance(value, int | float) and float(value).is_integer() and 0 <= value < len(options):
        return options[int(value)]
    if isinstance(value, list):
        if any(isinstance(entry, list) for entry in value):
            return "; ".join(f"[{value_text(entry)}]" for entry in value)
        return "; ".join(value_text(entry) for entry in value)
    return number_key(value)


def steps_text(rows: Iterable[StepAnswer], options: Mapping[str, Sequence[str]] | None = None) -> str:
    """The steps on one line, for a spreadsheet cell: "1 z1 = 1; 2 (wrong) | 2 a1 = 1; 2 (carried) |
    3 yhat (blank)": number, name, the value given (a choice step's option by its text, ``options``:
    step -> option texts), the mark and a wrong step's named slip."""
    parts = []
    for row in rows:
        text = f"{row.number} {row.step}"
        if row.answer is not None:
            text += f" = {value_text(row.answer, (options or {}).get(row.step, ()))}"
        if row.mark:
            text += f" ({row.mark}: {row.mistake})" if row.mistake else f" ({row.mark})"
        parts.append(text)
    return " | ".join(parts)
