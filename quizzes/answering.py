"""Turning a student's posted answer into a value, and grading that value.

``parse_answer`` separates two kinds of bad input: ``InvalidAnswer`` is a student's mistake
(empty input, "1,2,3" in a numeric box): it is stored, shown back with its message and costs no
try. ``MalformedAnswer`` is a request no form of ours can send (a choice id of another question):
it is refused with HTTP 400 and nothing is stored.
"""

import json
from dataclasses import dataclass

import numpy as np

from quizzes import computed, grading
from quizzes.models import Question
from quizzes.numeric_input import NumericInputError, parse_number

MAX_TEXT_LENGTH = 500


class InvalidAnswer(ValueError):
    """The student's input cannot be graded; the message says why, for the student."""

    def __init__(self, message: str, raw: str):
        super().__init__(message)
        self.raw = raw


class MalformedAnswer(ValueError):
    """The request does not fit the question (answer with HTTP 400)."""


@dataclass(frozen=True)
class ParsedAnswer:
    raw: str  # what the student sent, as text
    value: object  # JSON-serializable: list of choice ids, bool, float or str


def parse_answer(question: Question, data, choice_ids: set[int], shape: tuple | None = None) -> ParsedAnswer:
    """Read the answer to ``question`` from ``data`` (a QueryDict: fields ``choice``/``answer``/``cell``).

    ``choice_ids`` are the ids of the question's choices; ``shape`` is the cell layout of a
    computed vector/matrix answer (one ``cell`` field per entry, row-major). Raises
    ``InvalidAnswer`` or ``MalformedAnswer`` as described in the module docstring.
    """
    kind = question.kind
    if kind == Question.Kind.COMPUTED_ARRAY:
        return _parse_cells(data.getlist("cell"), shape)
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        raw_ids = data.getlist("choice")
        raw = ",".join(raw_ids)
        try:
            picked = sorted({int(value) for value in raw_ids})
        except ValueError:
            raise MalformedAnswer("A choice must be given by its number.") from None
        foreign = [cid for cid in picked if cid not in choice_ids]
        if foreign:
            raise MalformedAnswer(f"Choice {foreign[0]} does not belong to this question.")
        if not picked:
            raise InvalidAnswer("Pick an answer before checking it.", raw)
        if kind == Question.Kind.SINGLE and len(picked) > 1:
            raise MalformedAnswer("A single-choice question takes exactly one choice.")
        return ParsedAnswer(raw=raw, value=picked)
    raw = data.get("answer", "")
    if len(raw) > MAX_TEXT_LENGTH:
        raise MalformedAnswer(f"An answer may be at most {MAX_TEXT_LENGTH} characters long.")
    if kind == Question.Kind.TRUE_FALSE:
        if raw not in ("true", "false"):
            if raw.strip() == "":
                raise InvalidAnswer("Pick true or false before checking.", raw)
            raise MalformedAnswer("A true/false answer must be “true” or “false”.")
        return ParsedAnswer(raw=raw, value=raw == "true")
    if kind in (Question.Kind.NUMERIC, Question.Kind.COMPUTED):
        try:
            return ParsedAnswer(raw=raw, value=parse_number(raw))
        except NumericInputError as error:
            raise InvalidAnswer(str(error), raw) from None
    if not raw.strip():
        raise InvalidAnswer("Type an answer before checking it.", raw)
    return ParsedAnswer(raw=raw, value=raw.strip())


def _parse_cells(cells: list[str], shape: tuple) -> ParsedAnswer:
    """Parse one number per cell into a nested list of ``shape`` (a vector or a matrix)."""
    count = int(np.prod(shape))
    if len(cells) != count:
        raise MalformedAnswer(f"This answer has {count} entries; {len(cells)} were sent.")
    if any(len(cell) > 100 for cell in cells):
        raise MalformedAnswer("An entry may be at most 100 characters long.")
    raw = json.dumps(cells, ensure_ascii=False)
    numbers = []
    for index, cell in enumerate(cells):
        try:
            numbers.append(parse_number(cell))
        except NumericInputError as error:
            where = (
                f"row {index // shape[1] + 1}, column {index % shape[1] + 1}"
                if len(shape) == 2
                else f"entry {index + 1}"
            )
            raise InvalidAnswer(f"In {where}: {error}", raw) from None
    return ParsedAnswer(raw=raw, value=np.reshape(numbers, shape).tolist())


def grade_answer(question: Question, value, choices, variant=None) -> grading.Grade:
    """Grade a parsed ``value`` against ``question``'s settings; ``choices`` are its Choice rows.

    Computed kinds grade against ``variant``'s stored answer, tolerance and known mistakes.
    """
    kind = question.kind
    if question.is_computed:
        return grading.grade_computed(
            value,
            variant.answer,
            mistakes=variant.mistakes,
            per_cell_credit=question.per_cell_credit,
            **computed.tolerance_for(question, variant),
        )
    correct_ids = {c.id for c in choices if c.is_correct}
    if kind == Question.Kind.SINGLE:
        return grading.grade_single_choice(value[0], correct_ids)
    if kind == Question.Kind.MULTIPLE:
        return grading.grade_multiple_choice(
            set(value), correct_ids, {c.id for c in choices}, question.multiple_mode
        )
    if kind == Question.Kind.TRUE_FALSE:
        return grading.grade_true_false(value, bool(question.true_false_answer))
    if kind == Question.Kind.NUMERIC:
        return grading.grade_numeric(
            value,
            question.numeric_answer,
            mode=question.numeric_mode,
            rtol=question.rtol,
            atol=question.atol,
            digits=question.digits,
        )
    return grading.grade_text(value, question.accepted_texts, mode=question.text_mode)
