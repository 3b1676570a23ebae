"""Carried-error grading of a multi-step answer: pure functions, no Django, no torch.

Each asked step is graded twice: against its exact value, and against its **carried** value, the
step recomputed from the student's own answers to the steps it depends on (``compute.steps``). A
step is

- "right": within tolerance of the exact value (full credit), or of its carried value when every
  input it was computed from is right (their rounding, carried through, may have grown);
- "carried": wrong, but within tolerance of its carried value, which differs from the exact one
  because an earlier answer was wrong: the step follows correctly from the student's inputs and
  earns ``carried_credit`` of its weight;
- "shown": its value was shown on request (guided mode): no credit, and the exact value is used
  for the later steps;
- "wrong": neither (a named slip of the step, when it matches one, is named);
- "blank": not answered.

The score is the weighted mean of the steps' credits. The **first wrong step** is the first asked
step marked "wrong"; a carried step's feedback names the wrong earlier steps it was computed from.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compute.steps import asked_sources
from compute.tolerance import within_nested
from quizzes.grading import CORRECT, Grade, is_full_score

RIGHT, CARRIED, SHOWN, WRONG, BLANK = "right", "carried", "shown", "wrong", "blank"


@dataclass(frozen=True)
class AskedStep:
    """One step of the question: its generator name, weight, student-facing symbol (LaTeX) and the
    earlier steps of the generator it is computed from (``depends``, all steps, asked or not)."""

    name: str
    weight: float
    symbol: str
    depends: tuple[str, ...]


@dataclass(frozen=True)
class StepMark:
    step: str
    mark: str
    credit: float  # of this step's weight, in [0, 1]
    message: str = ""  # Markdown with math, for the student
    mistake: str = ""  # the named slip the answer matches

    def to_json(self) -> dict:
        return {"step": self.step, "mark": self.mark, "credit": self.credit, "message": self.message,
                "mistake": self.mistake}


def _close(value, expected, tolerance: Mapping[str, float]) -> bool:
    return within_nested(value, expected, tolerance["rtol"], tolerance["atol"])


def wrong_sources(step: AskedStep, marks: Mapping[str, str], depends: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The asked steps marked wrong or carried among ``step``'s inputs, followed through the steps
    that are not asked (their values were carried on from their own inputs)."""
    graded = dict(marks)
    return [name for name in asked_sources(step.name, graded, {**depends, step.name: step.depends})
            if graded[name] in (WRONG, CARRIED)]


def wrong_roots(name: str, asked: Mapping[str, AskedStep], depends: Mapping[str, tuple[str, ...]],
                marks: Mapping[str, str]) -> set[str]:
    """The asked steps marked wrong where the error of step ``name`` (wrong or carried) started:
    itself when wrong, else the roots of the wrong or carried steps it was computed from."""
    if marks.get(name) == WRONG:
        return {name}
    return {root for source in wrong_sources(asked[name], marks, depends)
            for root in wrong_roots(source, asked, depends, marks)}


def grade_steps(
    asked: Sequence[AskedStep],
    answers: Mapping[str, object],
    *,
    exact: Mapping[str, object],
    carried: Mapping[str, object],
    slips: Mapping[str, Mapping[str, object]],
    messages: Mapping[str, str],
    depends: Mapping[str, tuple[str, ...]],
    tolerance: Mapping[str, float],
    carried_credit: float,
    shown: frozenset[str] = frozenset(),
    tolerances: Mapping[str, Mapping[str, float]] | None = None,
) -> Grade:
    """The grade of ``answers`` (step -> value, None or missing when blank) to the ``asked`` steps.

    ``exact`` and ``carried`` hold every step's values (``compute.steps.step_chain`` without and with
    the answers, shown steps answered with their exact values), ``slips`` each step's named slips
    from the student's inputs, ``messages`` the slips' texts, ``depends`` every step's inputs.
    ``tolerances`` gives the steps it names their own rtol/atol instead of ``tolerance``
    (``Generator.step_tolerance``).
    """
    marks: dict[str, str] = {}
    results: list[StepMark] = []
    results_by_name: dict[str, AskedStep] = {}
    number = {step.name: n for n, step in enumerate(asked, start=1)}
    symbol = {step.name: step.symbol for step in asked}
    for step in asked:
        value = answers.get(step.name)
        within = (tolerances or {}).get(step.name, tolerance)
        if step.name in shown:
            result = StepMark(step.name, SHOWN, 0.0, "Shown on request: no credit for this step.")
        elif value is None:
            result = StepMark(step.name, BLANK, 0.0, "Not answered.")
        elif _close(value, exact[step.name], within):
            result = StepMark(step.name, RIGHT, 1.0, CORRECT)
        elif _close(value, carried[step.name], within) and not wrong_sources(step, marks, depends):
            # Follows from inputs that are all right (within tolerance; rounding they carried grew): right.
            result = StepMark(step.name, RIGHT, 1.0, CORRECT)
        elif _close(value, carried[step.name], within) and not _close(carried[step.name], exact[step.name], within):
            sources = wrong_sources(step, marks, depends)
            named = " and ".join(f"${symbol[s]}$" for s in sources)
            numbers = sorted(number[s] for s in sources)
            see = (f"step {numbers[0]}" if len(numbers) == 1
                   else f"steps {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}")
            roots = sorted({number[r] for s in sources for r in wrong_roots(s, results_by_name, depends, marks)}
                           - {number[s] for s in sources})
            back = f"; it goes back to step {', '.join(map(str, roots))}" if roots else ""
            result = StepMark(step.name, CARRIED, carried_credit,
                              f"Right for your {named}, but {'they are' if len(sources) > 1 else 'it is'} wrong"
                              f" (see {see}{back}): {carried_credit:.0%} of this step's points.")
        else:
            mistake = next((name for name, slip in slips.get(step.name, {}).items()
                            if _close(value, slip, within)), "")
            text = messages.get(mistake, "") if mistake else ""
            result = StepMark(step.name, WRONG, 0.0, text or "Not correct.", mistake)
        marks[step.name] = result.mark
        results.append(result)
        results_by_name[step.name] = step
    total = sum(step.weight for step in asked)
    score = sum(step.weight * result.credit for step, result in zip(asked, results, strict=True)) / total
    score = min(max(score, 0.0), 1.0)
    first = next((r for r in results if r.mark == WRONG), None)
    return Grade(score, summary(results, number, symbol, first, score),
                 mistake=first.mistake if first else "", steps=tuple(r.to_json() for r in results))


def summary(results: Sequence[StepMark], number: Mapping[str, int], symbol: Mapping[str, str],
            first: StepMark | None, score: float) -> str:
    """One or two sentences: how many steps are right, carried, shown or blank, and the first wrong one."""
    if is_full_score(score):
        return CORRECT
    count = {mark: sum(1 for r in results if r.mark == mark) for mark in (RIGHT, CARRIED, SHOWN, BLANK)}
    parts = [f"{count[RIGHT]} of {len(results)} steps right"]
    if count[CARRIED]:
        parts.append(f"{count[CARRIED]} right for your own earlier values")
    if count[SHOWN]:
        parts.append(f"{count[SHOWN]} shown")
    if count[BLANK]:
        parts.append(f"{count[BLANK]} not answered")
    text = ", ".join(parts) + "."
    if first is not None:
        text += f" The first wrong step is step {number[first.step]}, ${symbol[first.step]}$."
    return text
