"""Single choice: pick exactly one of the question's choices; exactly one choice is correct."""

from collections.abc import Sequence

from quizzes import grading
from quizzes.kinds.base import ChoiceKind


class SingleChoice(ChoiceKind):
    slug = "single"
    label = "Single choice"
    noun = "Single-choice"

    def check_choices(self, choices: Sequence[tuple[str, bool]]) -> list[str]:
        messages = super().check_choices(choices)
        correct = sum(1 for _, is_correct in choices if is_correct)
        if correct != 1:
            messages.append(
                f"A single-choice question needs exactly one correct choice; this one has {correct or 'none'}."
            )
        return messages

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_single_choice(value[0], {c.id for c in choices if c.is_correct})


KIND = SingleChoice()
