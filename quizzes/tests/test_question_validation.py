import math

import pytest
from django.core.exceptions import ValidationError

from quizzes.kinds import UnknownKind
from quizzes.models import Question
from quizzes.question_validation import validate_choices, validate_question
from quizzes.tests.factories import question_fields


def errors_of(**fields) -> dict[str, list[str]]:
    """The validation errors of an unsaved question with these fields ({} when valid)."""
    try:
        validate_question(Question(**question_fields(clean=False, **{"prompt": "What is it?", **fields})))
    except ValidationError as error:
        return error.message_dict
    return {}


class TestValidQuestions:
    @pytest.mark.parametrize(
        "fields",
        [
            {"kind": "single"},
            {"kind": "multiple", "multiple_mode": "net_correct"},
            {"kind": "true_false", "true_false_answer": False},
            {"kind": "numeric", "numeric_answer": 0.5},
            {"kind": "numeric", "numeric_answer": 0.0, "rtol": 0.0, "atol": 1e-6},
            {"kind": "numeric", "numeric_answer": 3.0, "rtol": 0.5, "atol": 0.0},
            {"kind": "numeric", "numeric_answer": 3.0, "numeric_mode": "sigfigs", "digits": 1},
            {"kind": "numeric", "numeric_answer": 3.0, "numeric_mode": "sigfigs", "digits": 15},
            {"kind": "numeric", "numeric_answer": 3.0, "numeric_mode": "decimals", "digits": 0},
            {"kind": "text", "text_answers": "ReLU\n\nrectifier", "text_mode": "exact"},
            {"kind": "text", "text_answers": "relu\\d?\n(?i)tanh", "text_mode": "regex"},
        ],
    )
    def test_passes(self, fields):
        assert errors_of(**fields) == {}

    def test_a_setting_the_kind_does_not_have_is_refused_by_name(self):
        # a typo in a course file, or another kind's setting, must not pass silently
        assert errors_of(kind="single", rtol=0.1) == {
            "rtol": ["Single-choice questions have no setting “rtol” (settings: single_mode)."]
        }

    def test_cleaning_fills_defaults(self):
        question = Question(**question_fields(clean=False, kind="numeric", prompt="?", numeric_answer=2))
        validate_question(question)
        assert question.settings == {
            "numeric_answer": 2.0, "numeric_mode": "tolerance", "rtol": 0.01, "atol": 1e-3, "digits": None,
            "wrong_answers": [],
        }

    def test_model_clean_calls_validation(self):
        with pytest.raises(ValidationError) as info:
            Question(kind="true_false", prompt="Is it?").clean()
        assert set(info.value.message_dict) == {"true_false_answer"}


class TestPoints:
    @pytest.mark.parametrize("points", [0.0, -1.0, math.nan, math.inf, None])
    def test_must_be_positive(self, points):
        assert errors_of(kind="single", points=points) == {
            "points": ["Points must be a number greater than 0."]
        }


class TestNumeric:
    def test_needs_an_answer(self):
        assert errors_of(kind="numeric") == {"numeric_answer": ["Enter the correct answer."]}

    @pytest.mark.parametrize("answer", [math.inf, -math.inf, math.nan])
    def test_answer_must_be_finite(self, answer):
        assert errors_of(kind="numeric", numeric_answer=answer) == {
            "numeric_answer": ["The correct answer must be a finite number."]
        }

    @pytest.mark.parametrize("field", ["rtol", "atol"])
    @pytest.mark.parametrize("value", [-0.01, math.nan, None])
    def test_tolerances_must_be_non_negative_numbers(self, field, value):
        errors = errors_of(kind="numeric", numeric_answer=1.0, **{field: value})
        assert errors == {field: ["The tolerance must be a number, 0 or more."]}

    def test_both_tolerances_zero_is_refused(self):
        errors = errors_of(kind="numeric", numeric_answer=1.0, rtol=0.0, atol=0.0)
        assert list(errors) == ["atol"]
        assert "with both tolerances 0 only a bit-exact answer is accepted" in errors["atol"][0].lower()

    def test_relative_tolerance_above_half_is_refused(self):
        errors = errors_of(kind="numeric", numeric_answer=1.0, rtol=0.51)
        assert list(errors) == ["rtol"]
        assert "more than 50% relative tolerance accepts almost anything" in errors["rtol"][0]

    @pytest.mark.parametrize("digits", [None, 0, 16])
    def test_sigfigs_needs_1_to_15_digits(self, digits):
        errors = errors_of(kind="numeric", numeric_answer=1.0, numeric_mode="sigfigs", digits=digits)
        assert errors == {
            "digits": ["Significant-figures mode needs the number of significant figures, 1 to 15."]
        }

    @pytest.mark.parametrize("digits", [None, 16])
    def test_decimals_needs_0_to_15_digits(self, digits):
        errors = errors_of(kind="numeric", numeric_answer=1.0, numeric_mode="decimals", digits=digits)
        assert errors == {"digits": ["Decimal-places mode needs the number of decimal places, 0 to 15."]}

    def test_tolerances_are_not_checked_in_rounding_modes(self):
        fields = {"rtol": 0.0, "atol": 0.0, "digits": 3}
        assert errors_of(kind="numeric", numeric_answer=1.0, numeric_mode="sigfigs", **fields) == {}

    def test_reports_every_problem_at_once(self):
        errors = errors_of(kind="numeric", points=0.0, rtol=0.9, atol=-1.0)
        assert set(errors) == {"points", "numeric_answer", "rtol", "atol"}


class TestTrueFalse:
    def test_needs_the_answer(self):
        assert errors_of(kind="true_false") == {
            "true_false_answer": ["Choose whether the correct answer is true or false."]
        }


class TestText:
    @pytest.mark.parametrize("answers", ["", "  \n \n"])
    @pytest.mark.parametrize("mode", ["exact", "case_insensitive", "regex"])
    def test_needs_an_accepted_answer(self, answers, mode):
        assert errors_of(kind="text", text_answers=answers, text_mode=mode) == {
            "text_answers": ["Enter at least one accepted answer, one per line."]
        }

    def test_regex_that_does_not_compile_is_named_with_its_line_and_error(self):
        errors = errors_of(kind="text", text_answers="relu\n\na(b", text_mode="regex")
        assert errors == {
            "text_answers": [
                "Answer 2, “a(b”, is not a valid regular expression: missing ) at position 3."
            ]
        }

    @pytest.mark.parametrize("pattern, length", [("(a|aa)+$", 31), ("(x|xx)+y", 31), ("(1|11)+$", 31),
                                                 ("((ab)|(ab))+$", 201)])
    def test_regex_that_backtracks_catastrophically_is_refused_naming_its_line(self, pattern, length):
        errors = errors_of(kind="text", text_answers=f"relu\n{pattern}", text_mode="regex")
        assert errors == {
            "text_answers": [
                f"Answer 2, “{pattern}”, takes too long on long answers (over 50 ms on {length} characters): "
                "avoid nested or overlapping repetition such as (a+)+ or (a|aa)+."
            ]
        }

    @pytest.mark.parametrize("pattern", ["valid(ation)?", "(a+)+$", r"[a-z]+(,\s*[a-z]+)*", r"(\w+\s?)+$",
                                         "colou?r|farbe"])
    def test_regexes_that_match_in_linear_time_are_accepted(self, pattern):
        # (a+)+$ is the classic catastrophic pattern for Python's re; the regex module grades it in
        # linear time (under a millisecond on 200 characters), so there is nothing to refuse.
        assert errors_of(kind="text", text_answers=pattern, text_mode="regex") == {}

    @pytest.mark.parametrize("pattern", [".*", "a?", "(relu)?", "|relu"])
    def test_regex_matching_the_empty_answer_is_refused(self, pattern):
        errors = errors_of(kind="text", text_answers=f"tanh\n{pattern}", text_mode="regex")
        assert errors == {
            "text_answers": [
                f"Answer 2, “{pattern}”, matches an empty answer: make it require at least one character."
            ]
        }

    def test_non_regex_modes_do_not_compile_lines(self):
        assert errors_of(kind="text", text_answers="a(b\n.*", text_mode="exact") == {}

    def test_every_bad_line_is_reported(self):
        errors = errors_of(kind="text", text_answers="[\n.*\nok", text_mode="regex")
        assert [m.split(",")[0] for m in errors["text_answers"]] == ["Answer 1", "Answer 2"]


def choice_errors(kind: str, choices: list[tuple[str, bool]]) -> list[str]:
    try:
        validate_choices(kind, choices)
    except ValidationError as error:
        return error.messages
    return []


class TestChoices:
    @pytest.mark.parametrize(
        "kind, choices",
        [
            ("single", [("ReLU", True), ("tanh", False)]),
            ("single", [("a", False), ("b", True), ("c", False)]),
            ("multiple", [("a", True), ("b", True)]),
            ("multiple", [("a", False), ("b", True), ("c", False)]),
            ("true_false", []),
            ("numeric", []),
            ("text", []),
        ],
    )
    def test_valid(self, kind, choices):
        assert choice_errors(kind, choices) == []

    @pytest.mark.parametrize(
        "kind, choices, messages",
        [
            (
                "single",
                [("a", True), ("b", True)],
                ["A single-choice question needs exactly one correct choice; this one has 2."],
            ),
            (
                "single",
                [("a", False), ("b", False)],
                ["A single-choice question needs exactly one correct choice; this one has none."],
            ),
            ("single", [("a", True)], ["A single-choice question needs at least 2 choices; this one has 1."]),
            (
                "single",
                [],
                [
                    "A single-choice question needs at least 2 choices; this one has 0.",
                    "A single-choice question needs exactly one correct choice; this one has none.",
                ],
            ),
            (
                "multiple",
                [("a", False), ("b", False)],
                ["A multiple-choice question needs at least one correct choice; this one has none."],
            ),
            (
                "multiple",
                [("a", True)],
                ["A multiple-choice question needs at least 2 choices; this one has 1."],
            ),
            ("single", [("a", True), ("  ", False)], ["Every choice needs a text: choice 2 is empty."]),
            (
                "multiple",
                [("", True), ("b", True), ("\n", False)],
                ["Every choice needs a text: choices 1, 3 are empty."],
            ),
            (
                "true_false",
                [("True", True)],
                ["True/false questions take no choices: delete them or change the kind."],
            ),
            (
                "numeric",
                [("4", True)],
                ["Numeric questions take no choices: delete them or change the kind."],
            ),
            (
                "text",
                [("x", False)],
                ["Short-text questions take no choices: delete them or change the kind."],
            ),
        ],
    )
    def test_invalid(self, kind, choices, messages):
        assert choice_errors(kind, choices) == messages

    def test_unknown_kind_raises_listing_the_known_ones(self):
        with pytest.raises(UnknownKind, match="Known kinds: single, multiple"):
            validate_choices("essay", [])


SINGLE_FRACTIONS = {"single_mode": "fractions"}
MULTIPLE_FRACTIONS = {"multiple_mode": "fractions"}


def fraction_errors(kind: str, choices: list[tuple], settings: dict | None) -> list[str]:
    try:
        validate_choices(kind, choices, settings)
    except ValidationError as error:
        return error.messages
    return []


class TestFractions:
    @pytest.mark.parametrize(
        "kind, settings, choices",
        [
            ("single", SINGLE_FRACTIONS, [("a", True, 1.0), ("b", False, 0.5), ("c", False, -0.25)]),
            ("single", SINGLE_FRACTIONS, [("a", True, 1.0), ("b", True, 1.0)]),  # Moodle allows two 100 %
            ("multiple", MULTIPLE_FRACTIONS, [("a", True, 0.5), ("b", True, 0.5), ("c", False, -1.0)]),
            ("multiple", MULTIPLE_FRACTIONS,
             [("a", True, 0.3333333), ("b", True, 0.3333333), ("c", True, 0.3333333), ("d", False, 0.0)]),
            ("multiple", MULTIPLE_FRACTIONS, [("a", True, 0.7), ("b", True, 0.3)]),
            ("single", None, [("a", True), ("b", False, 0.5)]),  # other modes ignore fractions
            ("multiple", {"multiple_mode": "net_correct"}, [("a", True, 0.2), ("b", False, None)]),
        ],
    )
    def test_valid(self, kind, settings, choices):
        assert fraction_errors(kind, choices, settings) == []

    @pytest.mark.parametrize(
        "kind, settings, choices, messages",
        [
            (
                "single", SINGLE_FRACTIONS, [("a", True, 1.0), ("b", False, None), ("c", False, None)],
                ["Scoring by Moodle fractions needs a fraction for every choice: choices 2, 3 have none."],
            ),
            (
                "single", SINGLE_FRACTIONS, [("a", False, 0.9), ("b", False, 0.1)],
                ["A single-choice question scored by fractions needs a choice worth 100 % (fraction 1); the "
                 "highest here is 90 %."],
            ),
            (
                "single", SINGLE_FRACTIONS, [("a", False, 1.0), ("b", True, 0.5)],
                ["With fractions, the correct choices of a single-choice question are those worth 100 %: mark "
                 "choice 1 as correct and unmark choice 2."],
            ),
            (
                "multiple", MULTIPLE_FRACTIONS, [("a", True, 0.5), ("b", True, 0.4), ("c", False, -0.5)],
                ["The positive fractions must add up to 100 % (Moodle's rule); these add up to 90 %."],
            ),
            (
                "multiple", MULTIPLE_FRACTIONS, [("a", True, 0.5), ("b", False, 0.5), ("c", True, -0.5)],
                ["With fractions, the correct choices of a multiple-choice question are those with a fraction "
                 "above 0: mark choice 2 as correct and unmark choice 3."],
            ),
            (  # every problem at once, the range checked in any mode
                "multiple", MULTIPLE_FRACTIONS, [("a", True, 1.5), ("", False, None), ("c", False, -0.2)],
                ["Every choice needs a text: choice 2 is empty.",
                 "Choice 1: the fraction 1.5 is not between −1 and 1 (−100 % and 100 %).",
                 "Scoring by Moodle fractions needs a fraction for every choice: choice 2 has none.",
                 "The positive fractions must add up to 100 % (Moodle's rule); these add up to 150 %."],
            ),
            (
                "single", None, [("a", True, -2.0), ("b", False)],
                ["Choice 1: the fraction -2 is not between −1 and 1 (−100 % and 100 %)."],
            ),
        ],
    )
    def test_invalid(self, kind, settings, choices, messages):
        assert fraction_errors(kind, choices, settings) == messages


def test_prompt_is_required_except_for_computed_questions():
    assert "prompt" in errors_of(kind="true_false", true_false_answer=True, prompt="  ")
    assert "prompt" not in errors_of(kind="computed", generator="mlp_backward", prompt="")
