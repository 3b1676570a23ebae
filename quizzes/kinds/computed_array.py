"""Computed vector/matrix: a generator's vector or matrix answer, one input box per entry, with
per-entry marks and optional partial credit for the share of right entries."""

import json
from collections.abc import Sequence

import numpy as np

from quizzes import grading
from quizzes.kinds.base import InvalidAnswer, MalformedAnswer, ParsedAnswer, Setting
from quizzes.kinds.computed import ComputedKind
from quizzes.numeric_input import MAX_LENGTH, NumericInputError, parse_number


class ComputedArray(ComputedKind):
    slug = "computed_array"
    label = "Computed vector/matrix (generator, one box per entry)"
    noun = "Computed vector/matrix"
    template = "quizzes/kinds/cells.html"
    settings = (
        *ComputedKind.settings,
        Setting("per_cell_credit", "bool", False, "Per-entry credit", "Partial credit for the share of right entries."),
    )

    def shape_problem(self, answer_kind: str) -> str:
        if answer_kind == "scalar":
            return "This generator and config ask for one number: use the kind “Computed number”."
        return ""

    def unanswerable(self, variant) -> str:  # the boxes come from the solved answer's shape
        return self.unanswerable_until_solved(variant)

    def parse(self, question, data, *, choices: Sequence, variant) -> ParsedAnswer:
        """One number per ``cell`` field (row-major) into a nested list of the answer's shape."""
        shape = np.shape(variant.answer)
        cells = data.getlist("cell")
        count = int(np.prod(shape))
        if len(cells) != count:
            raise MalformedAnswer(f"This answer has {count} entries; {len(cells)} were sent.")
        if any(len(cell) > MAX_LENGTH for cell in cells):
            raise MalformedAnswer(f"An entry may be at most {MAX_LENGTH} characters long.")
        raw = json.dumps(cells, ensure_ascii=False)
        numbers = []
        for index, cell in enumerate(cells):
            try:
                numbers.append(parse_number(cell))
            except NumericInputError as error:
                where = (f"entry [{index // shape[1]}, {index % shape[1]}]" if len(shape) == 2
                         else f"entry [{index}]")  # indices from 0, as every prompt counts them
                raise InvalidAnswer(f"In {where}: {error}", raw) from None
        return ParsedAnswer(raw=raw, value=np.reshape(numbers, shape).tolist())

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_computed(value, variant.answer, mistakes=variant.mistakes,
                                      per_cell_credit=self.setting(question, "per_cell_credit"),
                                      **self.tolerance(question, variant))

    def widget(self, state) -> dict:
        """Rows of answer boxes (a vector is one column): flat index, the last typed text and, when
        feedback may be shown, the box's mark."""
        variant, last = state.variant, state.last
        if not variant.is_ready:
            return {"rows": []}
        shape = list(np.shape(variant.answer))
        rows, cols = (shape[0], 1) if len(shape) == 1 else shape
        typed = json.loads(last.raw) if last and last.raw.startswith("[") else []
        marks = last.cell_marks if last and state.feedback_visible else []
        grid = []
        for r in range(rows):
            row = []
            for c in range(cols):
                index = r * cols + c
                row.append({"index": index, "row": r, "col": c, "vector": len(shape) == 1,
                            "text": typed[index] if index < len(typed) else "",
                            "mark": marks[index] if index < len(marks) else None})
            grid.append(row)
        return {"rows": grid}


KIND = ComputedArray()
