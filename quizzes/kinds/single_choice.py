"""Single choice: pick exactly one of the question's choices.

Scored right or wrong (exactly one choice is correct), or by Moodle fractions: the picked choice's
fraction, at least 0 (Moodle may give a negative mark; scores here are in [0, 1]). With fractions at
least one choice is worth 100 %, and the choices worth 100 % are the correct ones.
"""

from collections.abc import Mapping, Sequence

from quizzes import grading
from quizzes.kinds.base import ChoiceDraft, ChoiceKind, Setting

MODES = (
    ("right_or_wrong", "Right or wrong: the correct choice scores, any other 0"),
    ("fractions", "Moodle fractions: the picked choice's fraction, at least 0"),
)


class SingleChoice(ChoiceKind):
    slug = "single"
    label = "Single choice"
    noun = "Single-choice"
    mode_setting = "single_mode"
    correct_rule = "the correct choices of a single-choice question are those worth 100 %"
    settings = (
        Setting("single_mode", "choice", "right_or_wrong", "Scoring",
                "How the pick is scored; with Moodle fractions each choice needs its fraction.",
                choices=MODES, implicit_default=True),
    )

    def correct_by_fraction(self, fraction: float) -> bool:
        return fraction > 1 - grading.MOODLE_EPSILON

    def check_choices(self, choices: Sequence[ChoiceDraft], settings: Mapping | None = None) -> list[str]:
        messages = super().check_choices(choices, settings)
        if self.uses_fractions(settings):
            given = [choice.fraction for choice in choices if choice.fraction is not None]
            if given and not any(self.correct_by_fraction(fraction) for fraction in given):
                messages.append("A single-choice question scored by fractions needs a choice worth 100 % "
                                f"(fraction 1); the highest here is {grading.percent(max(given))}.")
            return messages
        correct = sum(1 for choice in choices if choice.is_correct)
        if correct != 1:
            messages.append(
                f"A single-choice question needs exactly one correct choice; this one has {correct or 'none'}."
            )
        return messages

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_single_choice(
            value[0], {c.id for c in choices if c.is_correct}, self.fractions(question, choices)
        )


KIND = SingleChoice()
