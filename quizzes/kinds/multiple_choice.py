"""Multiple choice: pick every correct choice; scored all-or-nothing, net-correct, per answer or by
Moodle fractions (the sum of the picked choices' fractions, kept in [0, 1]; the positive fractions
add up to 100 % and the choices with a positive fraction are the correct ones)."""

import math
from collections.abc import Mapping, Sequence

from quizzes import grading
from quizzes.kinds.base import ChoiceDraft, ChoiceKind, Setting

MODES = (
    ("all_or_nothing", "All or nothing"),
    ("net_correct", "Net correct: (right − wrong picks) / correct choices, at least 0"),
    ("each_answer", "Each answer: share of choices marked correctly"),
    ("fractions", "Moodle fractions: sum of the picked choices' fractions, between 0 and 1"),
)


class MultipleChoice(ChoiceKind):
    slug = "multiple"
    label = "Multiple choice"
    noun = "Multiple-choice"
    multiple = True
    mode_setting = "multiple_mode"
    correct_rule = "the correct choices of a multiple-choice question are those with a fraction above 0"
    settings = (
        Setting("multiple_mode", "choice", "all_or_nothing", "Scoring",
                "How picks are scored; with Moodle fractions each choice needs its fraction.", choices=MODES),
    )

    def correct_by_fraction(self, fraction: float) -> bool:
        return fraction > 0

    def check_choices(self, choices: Sequence[ChoiceDraft], settings: Mapping | None = None) -> list[str]:
        messages = super().check_choices(choices, settings)
        if self.uses_fractions(settings):
            given = [choice.fraction for choice in choices if choice.fraction is not None]
            positive = math.fsum(fraction for fraction in given if fraction > 0)
            if given and abs(positive - 1) > grading.MOODLE_EPSILON:
                messages.append("The positive fractions must add up to 100 % (Moodle's rule); these add up to "
                                f"{grading.percent(positive)}.")
        elif not any(choice.is_correct for choice in choices):
            messages.append("A multiple-choice question needs at least one correct choice; this one has none.")
        return messages

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_multiple_choice(
            set(value), {c.id for c in choices if c.is_correct}, {c.id for c in choices},
            self.setting(question, "multiple_mode"), self.fractions(question, choices),
        )


KIND = MultipleChoice()
