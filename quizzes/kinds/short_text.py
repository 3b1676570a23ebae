"""Short text: a word or phrase compared exactly, case-insensitively or by regular expression.

Regular expressions are the author's code running on the student's input, so they run with a
time limit (``QUIZSERVER_REGEX_TIMEOUT_MS`` per pattern and answer, see ``grading.grade_text``) and
a pattern that backtracks catastrophically is refused when the question is saved: ``check`` tries
it on ``probe_answers``, long runs of the characters it names followed by one it does not name.
"""

import logging
from collections.abc import Callable, Sequence

import regex
from django.conf import settings

import quizzes.kinds.expected_wrong as expected_wrong  # the module, not the package: no cycle
from quizzes import grading
from quizzes.kinds.base import InvalidAnswer, Kind, ParsedAnswer, Setting

log = logging.getLogger(__name__)
PROBE_LENGTHS = (30, 200)  # a catastrophic pattern times out on 30 characters; 200 is the graded maximum
PROBE_TAILS = "!#~%&§"  # the first one the pattern does not name ends every probe, so the match fails
MAX_PROBE_UNITS = 12  # bounds the time a (slow but not catastrophic) pattern takes to check

MODES = (
    ("exact", "Exact (surrounding spaces ignored)"),
    ("case_insensitive", "Case-insensitive"),
    ("regex", "Regular expression (must match the whole answer)"),
)


class ShortText(Kind):
    slug = "text"
    label = "Short text"
    noun = "Short-text"
    settings = (
        Setting("text_answers", "lines", [], "Accepted answers",
                "One accepted answer (or regular expression) per line."),
        Setting("text_mode", "choice", "case_insensitive", "Comparison", choices=MODES),
        expected_wrong.WRONG_ANSWERS,
    )
    named_mistakes = True  # answers matching an expected wrong answer are counted under its name

    def check(self, question) -> dict[str, list[str]]:
        answers = self.setting(question, "text_answers") or []
        if not answers:
            return {"text_answers": ["Enter at least one accepted answer, one per line."]}
        errors = self._check_patterns(answers) if self.setting(question, "text_mode") == "regex" else {}
        if not errors:
            wrong = expected_wrong.check_entries(
                self.setting(question, "wrong_answers"), given="text",
                is_correct=lambda text: grading.is_full_score(self._compare(question, text).score))
            if wrong:
                errors["wrong_answers"] = wrong
        return errors

    def _check_patterns(self, answers: list[str]) -> dict[str, list[str]]:
        """Messages for regular expressions that do not compile, are too slow or match nothing typed."""
        timeout = regex_timeout()
        messages = []
        for number, pattern in enumerate(answers, start=1):
            try:
                regex.compile(pattern)
            except regex.error as error:
                messages.append(f"Answer {number}, “{pattern}”, is not a valid regular expression: {error}.")
                continue
            slow = slow_probe(pattern, timeout=timeout)
            if slow is not None:
                messages.append(
                    f"Answer {number}, “{pattern}”, takes too long on long answers (over {timeout * 1000:.0f} ms "
                    f"on {len(slow)} characters): avoid nested or overlapping repetition such as (a+)+ or (a|aa)+."
                )
            elif grading.pattern_fullmatches(pattern, "", timeout=timeout):
                messages.append(
                    f"Answer {number}, “{pattern}”, matches an empty answer: make it require at least one character."
                )
        return {"text_answers": messages} if messages else {}

    def parse_text(self, question, raw: str) -> ParsedAnswer:
        if not raw.strip():
            raise InvalidAnswer("Type an answer before checking it.", raw)
        return ParsedAnswer(raw=raw, value=raw.strip())

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        grade = self._compare(question, value)
        if grading.is_full_score(grade.score):
            return grade
        mode = "exact" if self.setting(question, "text_mode") == "exact" else "case_insensitive"

        def matches(entry: dict) -> bool:
            return grading.grade_text(value, [entry["text"]], mode=mode).score > 0

        entry = expected_wrong.first_match(self.setting(question, "wrong_answers"), matches)
        return expected_wrong.graded(grade, entry)

    def _compare(self, question, value: str) -> grading.Grade:
        """``value`` against the accepted answers by the question's comparison (regexes time-limited)."""

        def timed_out(pattern: str) -> None:
            log.warning(
                "question %s: regular expression %r took over %s ms on an answer of %s characters; "
                "graded as not matching", question.id, pattern, settings.QUIZSERVER_REGEX_TIMEOUT_MS, len(value),
            )

        return grading.grade_text(
            value, self.setting(question, "text_answers"), mode=self.setting(question, "text_mode"),
            timeout=regex_timeout(), on_timeout=timed_out,
        )

    def correct_answer(self, question, *, choices: Sequence, variant):
        return list(self.setting(question, "text_answers"))

    def mistake_messages(self, question) -> dict[str, str]:
        return expected_wrong.entry_messages(self.setting(question, "wrong_answers"))

    def normaliser(self, question) -> Callable[[str, object], str]:
        return lambda raw, value: " ".join(raw.split()).casefold()[:80]


def regex_timeout() -> float:
    """Seconds one pattern may spend on one answer (the ``QUIZSERVER_REGEX_TIMEOUT_MS`` setting)."""
    return settings.QUIZSERVER_REGEX_TIMEOUT_MS / 1000


def probe_answers(pattern: str) -> list[str]:
    """Answers on which a catastrophically backtracking ``pattern`` runs out of time: runs of each
    character the pattern names (and of ``a``, ``1`` and a space, for classes such as ``\\w``), and of
    its letters in order, each ended by a character it does not name, shortest first."""
    named = [c for c in dict.fromkeys(pattern) if c.isalnum() or c == " "]
    units = [unit for unit in dict.fromkeys(["a", "1", " ", "".join(named)[:8], *named]) if unit]
    units = units[:MAX_PROBE_UNITS]
    tail = next((c for c in PROBE_TAILS if c not in pattern), "\x00")
    return [(unit * length)[:length] + tail for length in PROBE_LENGTHS for unit in units]


def slow_probe(pattern: str, *, timeout: float) -> str | None:
    """The first of ``probe_answers`` on which ``pattern`` takes longer than ``timeout`` seconds, or None."""
    for answer in probe_answers(pattern):
        try:
            grading.pattern_fullmatches(pattern, answer, timeout=timeout)
        except TimeoutError:
            return answer
    return None


KIND = ShortText()
