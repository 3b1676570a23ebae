"""True / false: a statement the student marks as true or false."""

from collections.abc import Callable, Sequence

from quizzes import grading
from quizzes.kinds.base import InvalidAnswer, Kind, MalformedAnswer, ParsedAnswer, Setting


class TrueFalse(Kind):
    slug = "true_false"
    label = "True / false"
    noun = "True/false"
    template = "quizzes/kinds/true_false.html"
    settings = (
        Setting("true_false_answer", "bool", None, "Correct answer", "Whether the statement is true.",
                required=True, missing="Choose whether the correct answer is true or false."),
    )

    def parse_text(self, question, raw: str) -> ParsedAnswer:
        if raw not in ("true", "false"):
            if raw.strip() == "":
                raise InvalidAnswer("Pick true or false before checking.", raw)
            raise MalformedAnswer("A true/false answer must be “true” or “false”.")
        return ParsedAnswer(raw=raw, value=raw == "true")

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_true_false(value, bool(self.setting(question, "true_false_answer")))

    def correct_answer(self, question, *, choices: Sequence, variant):
        return self.setting(question, "true_false_answer")

    def normaliser(self, question) -> Callable[[str, object], str]:
        return lambda raw, value: "true" if value else "false"


KIND = TrueFalse()
