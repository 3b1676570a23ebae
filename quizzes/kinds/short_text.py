"""Short text: a word or phrase compared exactly, case-insensitively or by regular expression."""

import re
from collections.abc import Callable, Sequence

from quizzes import grading
from quizzes.kinds.base import InvalidAnswer, Kind, ParsedAnswer, Setting

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
    )

    def check(self, question) -> dict[str, list[str]]:
        answers = self.setting(question, "text_answers") or []
        if not answers:
            return {"text_answers": ["Enter at least one accepted answer, one per line."]}
        if self.setting(question, "text_mode") != "regex":
            return {}
        messages = []
        for number, pattern in enumerate(answers, start=1):
            try:
                compiled = re.compile(pattern)
            except re.error as error:
                messages.append(f"Answer {number}, “{pattern}”, is not a valid regular expression: {error}.")
                continue
            if compiled.fullmatch(""):
                messages.append(
                    f"Answer {number}, “{pattern}”, matches an empty answer: make it require at least one character."
                )
        return {"text_answers": messages} if messages else {}

    def parse_text(self, question, raw: str) -> ParsedAnswer:
        if not raw.strip():
            raise InvalidAnswer("Type an answer before checking it.", raw)
        return ParsedAnswer(raw=raw, value=raw.strip())

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_text(
            value, self.setting(question, "text_answers"), mode=self.setting(question, "text_mode")
        )

    def correct_answer(self, question, *, choices: Sequence, variant):
        return list(self.setting(question, "text_answers"))

    def normaliser(self, question) -> Callable[[str, object], str]:
        return lambda raw, value: " ".join(raw.split()).casefold()[:80]


KIND = ShortText()
