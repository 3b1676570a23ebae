"""Multiple choice: pick every correct choice; scored all-or-nothing, net-correct or per answer."""

from collections.abc import Sequence

from quizzes import grading
from quizzes.kinds.base import ChoiceKind, Setting

MODES = (
    ("all_or_nothing", "All or nothing"),
    ("net_correct", "Net correct: (right − wrong picks) / correct choices, at least 0"),
    ("each_answer", "Each answer: share of choices marked correctly"),
)


class MultipleChoice(ChoiceKind):
    slug = "multiple"
    label = "Multiple choice"
    noun = "Multiple-choice"
    multiple = True
    settings = (
        Setting("multiple_mode", "choice", "all_or_nothing", "Scoring", "How picks are scored.", choices=MODES),
    )

    def check_choices(self, choices: Sequence[tuple[str, bool]]) -> list[str]:
        messages = super().check_choices(choices)
        if not any(is_correct for _, is_correct in choices):
            messages.append("A multiple-choice question needs at least one correct choice; this one has none.")
        return messages

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_multiple_choice(
            set(value), {c.id for c in choices if c.is_correct}, {c.id for c in choices},
            self.setting(question, "multiple_mode"),
        )


KIND = MultipleChoice()
