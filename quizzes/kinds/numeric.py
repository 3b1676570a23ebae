"""Numeric: one number with a fixed correct answer, compared by tolerance, significant figures or decimals."""

import math
from collections.abc import Sequence

import quizzes.kinds.expected_wrong as expected_wrong  # the module, not the package: no cycle
from compute.tolerance import within
from quizzes import grading
from quizzes.kinds.base import InvalidAnswer, Kind, ParsedAnswer, Setting
from quizzes.numeric_input import NumericInputError, parse_number

MODES = (
    ("tolerance", "Tolerance: |answer − correct| ≤ atol + rtol·|correct|"),
    ("sigfigs", "Significant figures: equal after rounding both to N significant figures"),
    ("decimals", "Decimal places: equal after rounding both to N decimals"),
)
MAX_DIGITS = 15  # a float carries about 15-17 significant decimal digits
TOLERANCE_MESSAGE = "The tolerance must be a number, 0 or more."
RTOL = Setting("rtol", "float", 0.01, "Relative tolerance", "rtol in atol + rtol·|correct|.",
               allow_empty=False, missing=TOLERANCE_MESSAGE)
ATOL = Setting("atol", "float", 1e-3, "Absolute tolerance", "atol in atol + rtol·|correct|.",
               allow_empty=False, missing=TOLERANCE_MESSAGE)


def parse_number_answer(raw: str) -> ParsedAnswer:
    """A typed number (``quizzes.numeric_input`` grammar); a format error is an ``InvalidAnswer``."""
    try:
        return ParsedAnswer(raw=raw, value=parse_number(raw))
    except NumericInputError as error:
        raise InvalidAnswer(str(error), raw) from None


def check_tolerances(rtol, atol) -> dict[str, list[str]]:
    """Messages for tolerances that cannot grade: negative, not finite, too lax or both zero."""
    errors: dict[str, list[str]] = {}
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is None or not math.isfinite(value) or value < 0:
            errors.setdefault(name, []).append(TOLERANCE_MESSAGE)
    if rtol is not None and math.isfinite(rtol) and rtol > 0.5:
        errors.setdefault("rtol", []).append(
            "At most 0.5: more than 50% relative tolerance accepts almost anything."
        )
    if rtol == 0 and atol == 0:
        errors.setdefault("atol", []).append(
            "With both tolerances 0 only a bit-exact answer is accepted: set a small absolute or relative tolerance."
        )
    return errors


class Numeric(Kind):
    slug = "numeric"
    label = "Numeric (fixed answer)"
    noun = "Numeric"
    settings = (
        Setting("numeric_answer", "float", None, "Correct answer", required=True, missing="Enter the correct answer."),
        Setting("numeric_mode", "choice", "tolerance", "Comparison", choices=MODES),
        RTOL,
        ATOL,
        Setting("digits", "int", None, "Digits", "N for significant-figures or decimal-places mode."),
        expected_wrong.WRONG_ANSWERS,
    )
    named_mistakes = True  # answers matching an expected wrong answer are counted under its name

    def check(self, question) -> dict[str, list[str]]:
        def get(name):
            return self.setting(question, name)

        errors: dict[str, list[str]] = {}
        answer = get("numeric_answer")
        if answer is not None and not math.isfinite(answer):
            errors["numeric_answer"] = ["The correct answer must be a finite number."]
        mode, digits = get("numeric_mode"), get("digits")
        if mode == "tolerance":
            errors.update(check_tolerances(get("rtol"), get("atol")))
        elif mode == "sigfigs" and (digits is None or not 1 <= digits <= MAX_DIGITS):
            errors["digits"] = [f"Significant-figures mode needs the number of significant figures, 1 to {MAX_DIGITS}."]
        elif mode == "decimals" and (digits is None or not 0 <= digits <= MAX_DIGITS):
            errors["digits"] = [f"Decimal-places mode needs the number of decimal places, 0 to {MAX_DIGITS}."]
        if not errors and answer is not None:
            wrong = expected_wrong.check_entries(
                get("wrong_answers"), given="value",
                is_correct=lambda value: grading.is_full_score(self._compare(question, value).score))
            if wrong:
                errors["wrong_answers"] = wrong
        return errors

    def parse_text(self, question, raw: str) -> ParsedAnswer:
        return parse_number_answer(raw)

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        grade = self._compare(question, value)
        if grading.is_full_score(grade.score) or not math.isfinite(value):
            return grade

        def matches(entry: dict) -> bool:
            if "rtol" in entry or "atol" in entry:
                return within(value, entry["value"], entry.get("rtol", 0.0), entry.get("atol", 0.0))
            return grading.is_full_score(self._compare(question, value, expected=entry["value"]).score)

        entry = expected_wrong.first_match(self.setting(question, "wrong_answers"), matches)
        return expected_wrong.graded(grade, entry)

    def _compare(self, question, value: float, *, expected: float | None = None) -> grading.Grade:
        """``value`` against the correct answer (or ``expected``) by the question's comparison."""
        setting = self.setting
        return grading.grade_numeric(
            value, setting(question, "numeric_answer") if expected is None else expected,
            mode=setting(question, "numeric_mode"), rtol=setting(question, "rtol"), atol=setting(question, "atol"),
            digits=setting(question, "digits"),
        )

    def correct_answer(self, question, *, choices: Sequence, variant):
        return self.setting(question, "numeric_answer")

    def mistake_messages(self, question) -> dict[str, str]:
        return expected_wrong.entry_messages(self.setting(question, "wrong_answers"))

    def widget(self, state) -> dict:
        return {**super().widget(state), "numeric": True}


KIND = Numeric()
