"""Checks of a question's grading configuration, with messages for an instructor in the admin.

``validate_question`` checks the fields of one ``Question`` (called from ``Question.clean``);
``validate_choices`` checks the choices the admin is about to save with it. Both raise Django's
``ValidationError``; neither touches the database.
"""

import math
import re

from django.core.exceptions import ValidationError

CHOICE_KINDS = ("single", "multiple")
KIND_LABELS = {
    "true_false": "True/false", "numeric": "Numeric", "text": "Short-text",
    "computed": "Computed", "computed_array": "Computed vector/matrix",
}
MAX_DIGITS = 15  # a float carries about 15-17 significant decimal digits


def validate_question(question) -> None:
    """Raise ValidationError({field: [messages]}) if the question's configuration cannot grade.

    Only the fields used by the question's kind are checked, so switching kind does not complain
    about the settings of another kind.
    """
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if question.points is None or not (math.isfinite(question.points) and question.points > 0):
        add("points", "Points must be a number greater than 0.")
    if not question.prompt.strip() and question.kind not in ("computed", "computed_array"):
        add("prompt", "Write the question's prompt (only computed questions may leave it empty).")
    if question.kind == "numeric":
        _check_numeric(question, add)
    elif question.kind == "true_false" and question.true_false_answer is None:
        add("true_false_answer", "Choose whether the correct answer is true or false.")
    elif question.kind == "text":
        _check_text(question, add)
    elif question.kind in ("computed", "computed_array"):
        from quizzes.computed import check_computed

        for name, message in check_computed(question).items():
            add(name, message)
        if question.own_tolerance:
            _check_tolerances(question, add)
    if errors:
        raise ValidationError(errors)


def _check_numeric(question, add) -> None:
    answer = question.numeric_answer
    if answer is None:
        add("numeric_answer", "Enter the correct answer.")
    elif not math.isfinite(answer):
        add("numeric_answer", "The correct answer must be a finite number.")
    mode, digits = question.numeric_mode, question.digits
    if mode == "tolerance":
        _check_tolerances(question, add)
    elif mode == "sigfigs" and (digits is None or not 1 <= digits <= MAX_DIGITS):
        add("digits", f"Significant-figures mode needs the number of significant figures, 1 to {MAX_DIGITS}.")
    elif mode == "decimals" and (digits is None or not 0 <= digits <= MAX_DIGITS):
        add("digits", f"Decimal-places mode needs the number of decimal places, 0 to {MAX_DIGITS}.")


def _check_tolerances(question, add) -> None:
    rtol, atol = question.rtol, question.atol
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is None or not math.isfinite(value) or value < 0:
            add(name, "The tolerance must be a number, 0 or more.")
    if rtol is not None and math.isfinite(rtol) and rtol > 0.5:
        add("rtol", "At most 0.5: more than 50% relative tolerance accepts almost anything.")
    if rtol == 0 and atol == 0:
        add(
            "atol",
            "With both tolerances 0 only a bit-exact answer is accepted: "
            "set a small absolute or relative tolerance.",
        )


def _check_text(question, add) -> None:
    if not question.accepted_texts:
        add("text_answers", "Enter at least one accepted answer, one per line.")
        return
    if question.text_mode != "regex":
        return
    for number, line in enumerate(question.text_answers.splitlines(), start=1):
        pattern = line.strip()
        if not pattern:
            continue
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            add("text_answers", f"Line {number}, “{pattern}”, is not a valid regular expression: {error}.")
            continue
        if compiled.fullmatch(""):
            add(
                "text_answers",
                f"Line {number}, “{pattern}”, matches an empty answer: "
                "make it require at least one character.",
            )


def validate_choices(kind: str, choices: list[tuple[str, bool]]) -> None:
    """Raise ValidationError([messages]) if ``choices`` do not suit a question of ``kind``.

    ``choices`` are the (text, is_correct) pairs of the choices that will remain after saving
    (deleted inline rows left out).
    """
    messages: list[str] = []
    if kind in CHOICE_KINDS:
        label = "single-choice" if kind == "single" else "multiple-choice"
        empty = [n for n, (text, _) in enumerate(choices, start=1) if not text.strip()]
        if empty:
            numbers = ", ".join(str(n) for n in empty)
            which = f"choice {numbers} is" if len(empty) == 1 else f"choices {numbers} are"
            messages.append(f"Every choice needs a text: {which} empty.")
        if len(choices) < 2:
            messages.append(f"A {label} question needs at least 2 choices; this one has {len(choices)}.")
        correct = sum(1 for _, is_correct in choices if is_correct)
        if kind == "single" and correct != 1:
            messages.append(
                f"A single-choice question needs exactly one correct choice; "
                f"this one has {correct or 'none'}."
            )
        if kind == "multiple" and correct == 0:
            messages.append(f"A {label} question needs at least one correct choice; this one has none.")
    elif kind in KIND_LABELS:
        if choices:
            messages.append(f"{KIND_LABELS[kind]} questions take no choices: delete them or change the kind.")
    else:
        raise ValueError(f"unknown question kind {kind!r}")
    if messages:
        raise ValidationError(messages)
