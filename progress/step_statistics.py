"""Where a class goes wrong in a multi-step question: per step, how the students' last tries are
marked, where their first wrong step is, and the most common wrong value.

Definitions (``step_statistics``; the answers are the graded tries of the course's students, as in
``progress.statistics``):

- ``counts``: per step and mark (``progress.step_answers.MARKS``), the students whose **last try**
  has that mark on the step (the facility's and histogram's tries); ``shares`` divides by the last
  tries that mark the step (those made before the step was asked do not).
- ``first_wrong``: the students whose last try's first step marked wrong is this step;
  ``none_wrong``: those whose last try has no wrong step.
- ``wrong_value``: over **all tries** (as the page counts wrong answers), the most common value
  given to the step where it was marked wrong (carried steps are not wrong), normalised like wrong
  answers (numbers to 6 significant digits), with ``wrong_count`` tries; ties go to the smaller key.
  ``wrong_mistake``: the named slip most of those tries matched ("" when none did).

Only the steps the question asks now are counted (marks of steps asked before an edit are left out).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from progress.step_answers import MARKS, QuestionStep, step_answers, value_text
from quizzes.kinds.base import number_key

KEY_LENGTH = 80  # characters of a wrong value's key, as the page's wrong answers


@dataclass(frozen=True)
class StepFigures:
    number: int
    step: str
    symbol: str  # LaTeX
    title: str
    counts: dict[str, int]  # mark -> students whose last try has it here, every mark of MARKS
    first_wrong: int
    wrong_value: str  # "" when no try was wrong here
    wrong_count: int
    wrong_mistake: str

    @property
    def marked(self) -> int:
        """Last tries that mark this step."""
        return sum(self.counts.values())

    @property
    def shares(self) -> dict[str, float | None]:
        """Mark -> share of the last tries that mark this step (None when none does)."""
        return {mark: count / self.marked if self.marked else None for mark, count in self.counts.items()}


@dataclass(frozen=True)
class StepStatistics:
    students: int  # students with a try: one last try each
    none_wrong: int
    steps: list[StepFigures]


def step_statistics(steps: Sequence[QuestionStep], last_tries: Sequence[tuple[object, list]],
                    tries: Sequence[tuple[object, list]]) -> StepStatistics:
    """The figures of ``steps`` (the question's, ``question_steps``) from each student's last try and
    from every try, each a (value, step_marks) pair of a graded answer (see the module docstring)."""
    names = {step.name for step in steps}
    options = {step.name: step.options for step in steps}
    counts = {name: dict.fromkeys(MARKS, 0) for name in names}
    first_wrong: Counter = Counter()
    none_wrong = 0
    for value, marks in last_tries:
        rows = step_answers(value, marks)
        for row in rows:
            if row.step in names and row.mark in MARKS:
                counts[row.step][row.mark] += 1
        first = next((row.step for row in rows if row.mark == "wrong" and row.step in names), None)
        if first is None:
            none_wrong += 1
        else:
            first_wrong[first] += 1
    wrong: dict[str, Counter] = {name: Counter() for name in names}
    slips: dict[tuple[str, str], Counter] = {}
    for value, marks in tries:
        for row in step_answers(value, marks):
            if row.step in names and row.mark == "wrong" and row.answer is not None:
                key = (value_text(row.answer, options[row.step]) if options[row.step]
                       else number_key(row.answer))[:KEY_LENGTH]
                wrong[row.step][key] += 1
                if row.mistake:
                    slips.setdefault((row.step, key), Counter())[row.mistake] += 1
    figures = []
    for step in steps:
        top = min(wrong[step.name].items(), key=lambda kv: (-kv[1], kv[0]), default=("", 0))
        slip = slips.get((step.name, top[0]))
        figures.append(StepFigures(
            number=step.number, step=step.name, symbol=step.symbol, title=step.title, counts=counts[step.name],
            first_wrong=first_wrong[step.name], wrong_value=top[0], wrong_count=top[1],
            wrong_mistake=min(slip.items(), key=lambda kv: (-kv[1], kv[0]))[0] if slip else "",
        ))
    return StepStatistics(students=len(last_tries), none_wrong=none_wrong, steps=figures)
