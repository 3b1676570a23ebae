"""Expected wrong answers: feedback, and optionally partial credit, for the slips an author foresees.

Numeric and short-text questions may list in their setting ``wrong_answers`` the wrong answers
students typically give (a parameter count without the biases, the variance where the standard
deviation is asked). Each entry is a JSON object:

- ``name``: a short label (at most ``NAME_LENGTH`` characters), unique in the question; statistics
  count the answers under it, as they count a computed question's named mistakes;
- ``feedback``: Markdown with math, shown to the student after "Not correct." (and graded like any
  other feedback: only when the quiz's feedback policy shows feedback);
- ``credit``: the score such an answer earns, 0 ≤ credit < 1 (default 0);
- numeric questions: ``value``, compared with the question's own comparison (tolerance, significant
  figures or decimals), or with the entry's own ``rtol`` and ``atol`` when it gives them;
- short-text questions: ``text``, compared as the question compares its accepted answers (exact or
  case-insensitive; in regular-expression mode the entry is a plain text compared case-insensitively).

An entry that the question would accept as correct is refused when the question is saved. A wrong
answer gets the first entry that matches it.
"""

import math
from collections.abc import Callable, Sequence

from quizzes.grading import Grade
from quizzes.kinds.base import Setting

NAME_LENGTH = 60  # Submission.mistake holds the name
HELP = (
    'Feedback for wrong answers you expect, as a JSON list, e.g. [{"name": "forgot the biases", "value": 784, '
    '"feedback": "Each neuron also has a bias.", "credit": 0.5}]. Short-text questions give "text" instead '
    'of "value"; a numeric entry may give its own "rtol" and "atol".'
)
WRONG_ANSWERS = Setting("wrong_answers", "entries", [], "Expected wrong answers", HELP)
NUMERIC_KEYS = {"name", "feedback", "credit", "value", "rtol", "atol"}
TEXT_KEYS = {"name", "feedback", "credit", "text"}


def check_entries(entries: Sequence[dict], *, given: str, is_correct: Callable[[object], bool]) -> list[str]:
    """Messages for entries that cannot work, each naming the entry by its number (from 1).

    ``given`` is the key holding what the student would type ("value" or "text"); ``is_correct``
    tells whether the question accepts that as a right answer.
    """
    allowed, messages, names = (NUMERIC_KEYS if given == "value" else TEXT_KEYS), [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"Wrong answer {number}"
        unknown = sorted(set(entry) - allowed)
        if unknown:
            messages.append(f"{where}: unknown key(s) {', '.join(unknown)} (keys: {', '.join(sorted(allowed))}).")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > NAME_LENGTH:
            messages.append(f"{where}: give a name of 1 to {NAME_LENGTH} characters (statistics count under it).")
        elif name in names:
            messages.append(f"{where}: the name “{name}” is used twice.")
        else:
            names.add(name)
        if not isinstance(entry.get("feedback"), str) or not entry["feedback"].strip():
            messages.append(f"{where}: give the feedback the student sees.")
        credit = entry.get("credit", 0)
        if isinstance(credit, bool) or not isinstance(credit, int | float) or not 0 <= credit < 1:
            messages.append(f"{where}: credit must be a number from 0 up to (not including) 1.")
        messages += _given_messages(entry, given, where, is_correct)
    return messages


def _given_messages(entry: dict, given: str, where: str, is_correct: Callable[[object], bool]) -> list[str]:
    value = entry.get(given)
    if given == "value":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return [f"{where}: give the wrong value as a finite number."]
        for name in ("rtol", "atol"):
            tolerance = entry.get(name, 0)
            if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 <= tolerance < math.inf:
                return [f"{where}: {name} must be a number, 0 or more."]
    elif not isinstance(value, str) or not value.strip():
        return [f"{where}: give the wrong text."]
    if is_correct(value):
        return [f"{where}: {value} would be graded correct; an expected wrong answer must be wrong."]
    return []


def entry_messages(entries: Sequence[dict]) -> dict[str, str]:
    """Name -> feedback of each entry (the message statistics and exports show for the name)."""
    return {entry["name"]: entry.get("feedback", "") for entry in entries if isinstance(entry.get("name"), str)}


def first_match(entries: Sequence[dict], matches: Callable[[dict], bool]) -> dict | None:
    """The first entry that ``matches`` the student's answer, or None."""
    return next((entry for entry in entries if matches(entry)), None)


def graded(grade: Grade, entry: dict | None) -> Grade:
    """``grade`` of a wrong answer with the matching ``entry``'s feedback, credit and name (the
    better of the two scores: an entry never lowers a partial score the comparison gave)."""
    if entry is None:
        return grade
    credit = float(entry.get("credit", 0))
    return Grade(max(grade.score, credit), f"Not correct. {entry['feedback'].strip()}", mistake=entry["name"])
