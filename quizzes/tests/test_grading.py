import math
import threading
import time

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from quizzes.grading import (
    Grade,
    credit_for_try,
    grade_multiple_choice,
    grade_numeric,
    grade_single_choice,
    grade_text,
    grade_true_false,
    moodle_score,
    pattern_fullmatches,
)

finite = st.floats(allow_nan=False, allow_infinity=False)


class TestGrade:
    @pytest.mark.parametrize(
        "score, verdict", [(1.0, "correct"), (0.999, "partial"), (0.25, "partial"), (0.0, "incorrect")]
    )
    def test_verdict_follows_score(self, score, verdict):
        assert Grade(score, "x").verdict == verdict

    @pytest.mark.parametrize("score", [-0.1, 1.5, math.nan])
    def test_score_outside_unit_interval_is_rejected(self, score):
        with pytest.raises(ValueError):
            Grade(score, "x")

    def test_is_frozen_and_marks_default_empty(self):
        grade = Grade(1.0, "Correct.")
        assert grade.choice_marks == {}
        with pytest.raises(AttributeError):
            grade.score = 0.0


class TestSingleChoice:
    def test_right_pick(self):
        assert grade_single_choice(2, {2}) == Grade(1.0, "Correct.", {2: "correct"})

    def test_wrong_pick_marks_the_right_one_missed(self):
        grade = grade_single_choice(1, {2})
        assert (grade.score, grade.verdict, grade.feedback) == (0.0, "incorrect", "Not correct.")
        assert grade.choice_marks == {1: "wrong", 2: "missed"}


MC_ALL = {1, 2, 3, 4}
MC_CORRECT = {1, 2, 3}


class TestMultipleChoice:
    @pytest.mark.parametrize(
        "mode, selected, score",
        [
            ("all_or_nothing", {1, 2, 3}, 1.0),
            ("all_or_nothing", {1, 2}, 0.0),
            ("all_or_nothing", {1, 2, 3, 4}, 0.0),
            ("all_or_nothing", set(), 0.0),
            ("net_correct", {1, 2, 3}, 1.0),
            ("net_correct", {1, 2}, 2 / 3),
            ("net_correct", {1, 2, 4}, 1 / 3),
            ("net_correct", {1, 4}, 0.0),
            ("net_correct", {4}, 0.0),  # 0 - 1 would be negative: floored at 0
            ("net_correct", set(), 0.0),
            ("each_answer", {1, 2, 3}, 1.0),
            ("each_answer", {1, 2}, 3 / 4),
            ("each_answer", {1, 2, 3, 4}, 3 / 4),
            ("each_answer", {1, 4}, 1 / 4),  # only choice 1 is in the right state
            ("each_answer", {4}, 0.0),
            ("each_answer", set(), 1 / 4),
        ],
    )
    def test_score_by_mode(self, mode, selected, score):
        assert grade_multiple_choice(selected, MC_CORRECT, MC_ALL, mode).score == pytest.approx(
            score, abs=1e-15
        )

    def test_each_answer_gives_exact_fractions(self):
        assert grade_multiple_choice({1, 2}, MC_CORRECT, MC_ALL, "each_answer").score == 0.75

    def test_choice_marks(self):
        grade = grade_multiple_choice({1, 4}, MC_CORRECT, MC_ALL, "net_correct")
        assert grade.choice_marks == {1: "correct", 4: "wrong", 2: "missed", 3: "missed"}

    @pytest.mark.parametrize(
        "mode, selected, feedback",
        [
            ("net_correct", {1, 2, 3}, "Correct."),
            ("net_correct", {1, 2, 3, 4}, "Partially correct: 3 of 3 correct choices picked, 1 wrong pick."),
            ("each_answer", {1, 2}, "Partially correct: 2 of 3 correct choices picked, no wrong picks."),
            ("net_correct", {4}, "Not correct: 0 of 3 correct choices picked, 1 wrong pick."),
            ("all_or_nothing", {1, 2, 4}, "Not correct: 2 of 3 correct choices picked, 1 wrong pick."),
        ],
    )
    def test_feedback_counts_picks(self, mode, selected, feedback):
        assert grade_multiple_choice(selected, MC_CORRECT, MC_ALL, mode).feedback == feedback

    def test_feedback_plurals(self):
        grade = grade_multiple_choice({2, 3}, {1}, {1, 2, 3}, "each_answer")
        assert grade.feedback == "Not correct: 0 of 1 correct choice picked, 2 wrong picks."

    def test_feedback_counts_but_does_not_name_missed_choices(self):
        grade = grade_multiple_choice({1}, {1, 3}, {1, 2, 3}, "net_correct")
        assert grade.feedback == "Partially correct: 1 of 2 correct choices picked, no wrong picks."

    def test_verdicts(self):
        assert grade_multiple_choice({1, 2}, MC_CORRECT, MC_ALL, "net_correct").verdict == "partial"
        assert grade_multiple_choice({4}, MC_CORRECT, MC_ALL, "net_correct").verdict == "incorrect"

    @pytest.mark.parametrize(
        "selected, correct, all_ids, mode",
        [
            ({1}, {1}, {1, 2}, "most_of_them"),
            ({9}, {1}, {1, 2}, "net_correct"),
            ({1}, set(), {1, 2}, "net_correct"),
        ],
    )
    def test_bad_arguments_raise(self, selected, correct, all_ids, mode):
        with pytest.raises(ValueError):
            grade_multiple_choice(selected, correct, all_ids, mode)

    @given(st.sets(st.integers(0, 7)), st.sets(st.integers(0, 7), min_size=1))
    def test_scores_stay_in_unit_interval_and_only_the_right_set_scores_one(self, selected, correct):
        for mode in ("all_or_nothing", "net_correct", "each_answer"):
            grade = grade_multiple_choice(selected, correct, set(range(8)), mode)
            assert 0.0 <= grade.score <= 1.0
            assert (grade.score == 1.0) == (selected == correct)


# Moodle-style fractions: choices 1 and 2 are right (50 % each), 3 is a penalty, 4 a heavy one.
FRACTIONS = {1: 0.5, 2: 0.5, 3: -1 / 3, 4: -1.0}
THIRDS = {1: 0.3333333, 2: 0.3333333, 3: 0.3333333, 4: -0.5}  # as Moodle stores 1/3: seven decimals


class TestMultipleChoiceFractions:
    @pytest.mark.parametrize(
        "selected, score",
        [
            ({1, 2}, 1.0),
            ({1}, 0.5),
            ({1, 2, 3}, 1 - 1 / 3),  # 100 % - 33.333 %
            ({1, 3}, 0.5 - 1 / 3),
            ({3}, 0.0),  # -33.333 %: kept at 0, as Moodle keeps it
            ({1, 2, 4}, 0.0),  # 100 % - 100 %
            ({1, 2, 3, 4}, 0.0),  # below 0: kept at 0
            (set(), 0.0),
        ],
    )
    def test_score_is_the_sum_of_the_picked_fractions_kept_between_0_and_1(self, selected, score):
        grade = grade_multiple_choice(selected, {1, 2}, MC_ALL, "fractions", FRACTIONS)
        assert grade.score == pytest.approx(score, abs=1e-15)

    def test_a_sum_above_100_percent_is_kept_at_1(self):
        fractions = {1: 0.6, 2: 0.6, 3: -0.2, 4: 0.0}  # Moodle refuses these on saving; grading still clamps
        assert grade_multiple_choice({1, 2}, {1, 2}, MC_ALL, "fractions", fractions).score == 1.0

    def test_three_thirds_written_with_seven_decimals_are_full_marks(self):
        grade = grade_multiple_choice({1, 2, 3}, {1, 2, 3}, MC_ALL, "fractions", THIRDS)
        assert (grade.score, grade.verdict, grade.feedback) == (1.0, "correct", "Correct.")

    def test_feedback_counts_picks_and_gives_the_share_of_the_points(self):
        grade = grade_multiple_choice({1, 3}, {1, 2}, MC_ALL, "fractions", FRACTIONS)
        assert grade.feedback == ("Partially correct: 1 of 2 correct choices picked, 1 wrong pick; "
                                  "16.67 % of the points.")
        grade = grade_multiple_choice({2}, {1, 2}, MC_ALL, "fractions", FRACTIONS)
        assert grade.feedback == "Partially correct: 1 of 2 correct choices picked, no wrong picks; 50 % of the points."
        grade = grade_multiple_choice({1, 2, 4}, {1, 2}, MC_ALL, "fractions", FRACTIONS)
        assert (grade.verdict, grade.feedback) == (
            "incorrect", "Not correct: 2 of 2 correct choices picked, 1 wrong pick.")

    def test_marks_follow_the_correct_choices(self):
        grade = grade_multiple_choice({1, 3}, {1, 2}, MC_ALL, "fractions", FRACTIONS)
        assert grade.choice_marks == {1: "correct", 3: "wrong", 2: "missed"}

    @pytest.mark.parametrize("fractions", [None, {1: 0.5, 2: 0.5, 3: None, 4: -1.0}])
    def test_missing_fractions_raise(self, fractions):
        with pytest.raises(ValueError, match="fraction"):
            grade_multiple_choice({1, 3}, {1, 2}, MC_ALL, "fractions", fractions)

    @given(st.sets(st.integers(0, 5)), st.lists(st.floats(-1, 1), min_size=6, max_size=6))
    def test_moodle_sum_clamped(self, selected, weights):
        fractions = dict(enumerate(weights))
        grade = grade_multiple_choice(selected, {0}, set(range(6)), "fractions", fractions)
        total = math.fsum(fractions[i] for i in sorted(selected))
        assert grade.score == moodle_score(total)
        assert 0.0 <= grade.score <= 1.0
        if 1e-6 <= total <= 1 - 1e-6:
            assert grade.score == total


class TestSingleChoiceFractions:
    FRACTIONS = {1: 1.0, 2: 0.5, 3: 0.0, 4: -0.25}

    @pytest.mark.parametrize(
        "selected, score, verdict, feedback",
        [
            (1, 1.0, "correct", "Correct."),
            (2, 0.5, "partial", "Partially correct: 50 % of the points."),
            (3, 0.0, "incorrect", "Not correct."),
            (4, 0.0, "incorrect", "Not correct."),  # Moodle would give -25 %; scores here are at least 0
        ],
    )
    def test_score_is_the_picked_choices_fraction_at_least_0(self, selected, score, verdict, feedback):
        grade = grade_single_choice(selected, {1}, self.FRACTIONS)
        assert (grade.score, grade.verdict, grade.feedback) == (score, verdict, feedback)

    def test_a_partly_right_pick_is_marked_wrong_and_the_full_one_missed(self):
        assert grade_single_choice(2, {1}, self.FRACTIONS).choice_marks == {2: "wrong", 1: "missed"}

    def test_without_fractions_only_the_correct_choice_scores(self):
        assert grade_single_choice(2, {1}).score == 0.0

    def test_a_choice_without_fraction_raises(self):
        with pytest.raises(ValueError, match="choice 2 has no fraction"):
            grade_single_choice(2, {1}, {1: 1.0, 2: None})


@pytest.mark.parametrize(
    "total, score",
    [(1.5, 1.0), (0.9999995, 1.0), (0.999998, 0.999998), (0.4, 0.4), (5e-7, 0.0), (2e-6, 2e-6), (-0.3, 0.0)],
)
def test_moodle_score_clamps_and_snaps_within_a_millionth(total, score):
    assert moodle_score(total) == score


class TestTrueFalse:
    @pytest.mark.parametrize(
        "answer, expected, score",
        [(True, True, 1.0), (False, False, 1.0), (True, False, 0.0), (False, True, 0.0)],
    )
    def test_answer_must_equal_expected(self, answer, expected, score):
        grade = grade_true_false(answer, expected)
        assert grade.score == score
        assert grade.feedback == ("Correct." if score else "Not correct.")
        assert grade.choice_marks == {}


class TestNumericTolerance:
    @pytest.mark.parametrize(
        "value, expected, rtol, atol, ok",
        [
            (10.0, 10.0, 0.01, 0.0, True),
            (10.1, 10.0, 0.01, 0.0, True),  # exactly on the relative boundary
            (9.9, 10.0, 0.01, 0.0, True),
            (10.11, 10.0, 0.01, 0.0, False),
            (11.0, 10.0, 0.1, 0.0, True),  # boundary: |11 - 10| = 0.1 * 10
            (11.0001, 10.0, 0.1, 0.0, False),
            (0.4, 0.3, 0.0, 0.1, True),  # boundary, although 0.4 - 0.3 > 0.1 in binary
            (0.2, 0.3, 0.0, 0.1, True),
            (0.41, 0.3, 0.0, 0.1, False),
            (0.0005, 0.0, 0.01, 1e-3, True),  # atol covers an expected 0
            (0.0011, 0.0, 0.01, 1e-3, False),
            (1.5e-3, 1e-3, 0.01, 1e-3, True),  # atol + rtol*|t| = 0.00101
            (2.1e-3, 1e-3, 0.01, 1e-3, False),
            (-5.02, -5.0, 0.01, 0.0, True),
            (0.1 + 0.2, 0.3, 0.0, 0.0, False),  # both tolerances 0: bit-exact only
            (0.3, 0.3, 0.0, 0.0, True),
        ],
    )
    def test_bound_is_atol_plus_rtol_times_expected(self, value, expected, rtol, atol, ok):
        grade = grade_numeric(value, expected, mode="tolerance", rtol=rtol, atol=atol)
        assert grade.score == (1.0 if ok else 0.0)
        assert grade.verdict == ("correct" if ok else "incorrect")

    def test_defaults_are_tolerance_one_percent(self):
        assert grade_numeric(100.9, 100.0).score == 1.0
        assert grade_numeric(101.2, 100.0).score == 0.0

    def test_flipped_sign_gets_a_sign_hint(self):
        assert grade_numeric(-2.5, 2.5).feedback == "Not correct. Check the sign."
        assert grade_numeric(2.5, -2.5).feedback == "Not correct. Check the sign."

    @pytest.mark.parametrize("value", [2.0, -3.0, 0.0, 250.0])
    def test_other_wrong_answers_get_neutral_feedback(self, value):
        grade = grade_numeric(value, 2.5)
        assert grade.feedback == "Not correct."
        assert "2.5" not in grade.feedback

    @pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
    def test_non_finite_value_is_not_correct(self, value):
        grade = grade_numeric(value, 1.0, rtol=0.5, atol=1.0)
        assert (grade.score, grade.feedback) == (0.0, "Not correct: enter a finite number.")

    @given(finite, st.floats(0, 0.5), st.floats(0, 1e6))
    def test_expected_value_always_passes(self, expected, rtol, atol):
        assert grade_numeric(expected, expected, rtol=rtol, atol=atol).score == 1.0


class TestNumericSigfigs:
    @pytest.mark.parametrize(
        "value, expected, digits, ok",
        [
            (0.123, 0.12345, 3, True),
            (0.1234, 0.12345, 3, True),
            (0.12345, 0.12345, 3, True),
            (0.124, 0.12345, 3, False),
            (0.12, 0.12345, 3, False),
            (-0.123, -0.12345, 3, True),
            (-0.124, -0.12345, 3, False),
            (0.123, -0.12345, 3, False),
            (0.1235, 0.12345, 3, False),  # rounds up to 0.124
            (0.1235, 0.12345, 4, True),  # 0.12345 rounds half up to 0.1235
            (-0.1235, -0.12345, 4, True),  # half away from zero for negatives too
            (12300.0, 12345.0, 3, True),
            (12400.0, 12345.0, 3, False),
            (1.23e-7, 1.2345e-7, 3, True),
            (6.02e23, 6.02214076e23, 3, True),
            (10.0, 9.996, 3, True),  # rounding carries into a new digit
            (9.99, 9.996, 3, False),
            (0.0, 0.0, 3, True),
            (-0.0, 0.0, 3, True),
            (1e-12, 0.0, 3, False),  # zero has no significant figures: only 0 equals it
            (0.001, 0.0, 1, False),
            (0.0, 0.001, 1, False),
            (3.0, 2.5, 1, True),
            (2.0, 2.5, 1, False),
            (0.1 + 0.2, 0.3, 15, True),  # 0.30000000000000004 to 15 figures is 0.3
        ],
    )
    def test_equal_after_rounding_both(self, value, expected, digits, ok):
        grade = grade_numeric(value, expected, mode="sigfigs", digits=digits)
        assert grade.score == (1.0 if ok else 0.0)

    def test_sign_hint_in_sigfigs_mode(self):
        assert (
            grade_numeric(-0.123, 0.12345, mode="sigfigs", digits=3).feedback
            == "Not correct. Check the sign."
        )

    def test_needs_digits(self):
        with pytest.raises(ValueError):
            grade_numeric(1.0, 1.0, mode="sigfigs")

    @given(finite, st.integers(1, 15))
    def test_expected_value_always_passes(self, expected, digits):
        assert grade_numeric(expected, expected, mode="sigfigs", digits=digits).score == 1.0


class TestNumericDecimals:
    @pytest.mark.parametrize(
        "value, expected, digits, ok",
        [
            (2.68, 2.675, 2, True),  # 2.675 as written rounds half up, though the float is 2.67499…
            (2.675, 2.675, 2, True),
            (2.67, 2.675, 2, False),
            (-2.68, -2.675, 2, True),
            (-2.67, -2.675, 2, False),
            (1.005, 1.01, 2, True),  # 1.005 is 1.00499… in binary
            (0.1 + 0.2, 0.3, 2, True),
            (3.0, 3.14159, 0, True),
            (3.5, 4.0, 0, True),
            (3.49, 4.0, 0, False),
            (3.14, 3.14159, 2, True),
            (3.15, 3.14159, 2, False),
            (0.0, 0.004, 2, True),
            (-0.004, 0.0, 2, True),  # -0.00 equals 0.00
            (0.005, 0.0, 2, False),
            (1e300, 1e300, 15, True),  # huge values fit the rounding precision
            (1.23456789e-20, 0.0, 15, True),
        ],
    )
    def test_equal_after_rounding_both(self, value, expected, digits, ok):
        grade = grade_numeric(value, expected, mode="decimals", digits=digits)
        assert grade.score == (1.0 if ok else 0.0)

    def test_unknown_mode_raises(self):
        with pytest.raises(ValueError, match="tolerance, sigfigs or decimals"):
            grade_numeric(1.0, 1.0, mode="roughly")

    @given(finite, st.integers(0, 15))
    def test_expected_value_always_passes(self, expected, digits):
        assert grade_numeric(expected, expected, mode="decimals", digits=digits).score == 1.0


class TestText:
    @pytest.mark.parametrize(
        "text, accepted, mode, ok",
        [
            ("ReLU", ["ReLU"], "exact", True),
            ("  ReLU \n", ["ReLU"], "exact", True),
            ("relu", ["ReLU"], "exact", False),
            ("leaky   relu", ["leaky relu"], "exact", True),
            ("leaky\trelu", ["leaky relu"], "exact", True),
            ("leakyrelu", ["leaky relu"], "exact", False),
            ("tanh", ["ReLU", "tanh"], "exact", True),
            ("ReLU", ["  ReLU  "], "exact", True),  # accepted answers are normalized too
            ("", ["ReLU"], "exact", False),
            ("relu", ["ReLU"], "case_insensitive", True),
            ("  RELU  ", ["ReLU"], "case_insensitive", True),
            ("STRASSE", ["straße"], "case_insensitive", True),  # casefold, not lower
            ("Leaky  ReLU", ["leaky relu"], "case_insensitive", True),
            ("sigmoid", ["ReLU"], "case_insensitive", False),
            ("relu", ["re.u"], "regex", True),
            ("relu6", ["relu"], "regex", False),  # fullmatch, not search
            ("a relu", ["relu"], "regex", False),
            ("relu6", ["relu\\d?"], "regex", True),
            ("  relu  ", ["relu"], "regex", True),  # stripped before matching
            ("ReLU", ["(?i)relu"], "regex", True),
            ("ReLU", ["relu"], "regex", False),
            ("tanh", ["relu", "tan+h"], "regex", True),
            ("ab", ["a(b", "ab"], "regex", True),  # a pattern that does not compile is skipped
            ("a(b", ["a(b"], "regex", False),
        ],
    )
    def test_modes(self, text, accepted, mode, ok):
        grade = grade_text(text, accepted, mode=mode)
        assert (grade.score, grade.feedback) == ((1.0, "Correct.") if ok else (0.0, "Not correct."))

    def test_regex_sees_only_the_first_200_characters(self):
        assert grade_text("a" * 200, ["a{200}"], mode="regex").score == 1.0
        assert grade_text("a" * 250, ["a{200}"], mode="regex").score == 1.0
        assert grade_text("a" * 250, ["a{250}"], mode="regex").score == 0.0

    def test_unknown_mode_raises(self):
        with pytest.raises(ValueError):
            grade_text("x", ["x"], mode="fuzzy")

    def test_a_catastrophic_pattern_times_out_as_not_matching_and_is_reported(self):
        timed_out = []
        grade, seconds = run_with_deadline(lambda: grade_text(
            "a" * 199 + "!", ["(a|aa)+$", "(a|a)+$", "relu"], mode="regex", timeout=0.05,
            on_timeout=timed_out.append))
        assert (grade.score, grade.feedback) == (0.0, "Not correct.")
        assert timed_out == ["(a|aa)+$", "(a|a)+$"]
        assert 0.09 < seconds < 1.5  # two patterns stopped at 50 ms each (thrice each on a very busy machine)

    def test_a_match_that_ran_out_of_time_waiting_for_the_cpu_is_tried_again(self, monkeypatch):
        """The regex module's limit is wall-clock time: a match that waited (no CPU time used) is
        not the pattern's fault."""
        calls = []

        class Waiting:
            def fullmatch(self, text, timeout):
                calls.append(timeout)
                if len(calls) == 1:
                    time.sleep(timeout)  # waited, computed nothing
                    raise TimeoutError("regex timed out")
                return object()

        monkeypatch.setattr(regex, "compile", lambda pattern: Waiting())
        assert pattern_fullmatches("relu", "relu", timeout=0.01) is True and calls == [0.01, 0.01]

    def test_a_later_pattern_still_matches_after_one_timed_out(self):
        grade, _ = run_with_deadline(lambda: grade_text(
            "a" * 40 + "!", ["(a|aa)+$", "a+!"], mode="regex", timeout=0.05))
        assert grade.score == 1.0

    def test_the_issues_nested_repetition_is_graded_in_linear_time(self):
        # (a+)+$ backtracks for hours in Python's re; the regex module needs under a millisecond.
        timed_out = []
        grade, seconds = run_with_deadline(lambda: grade_text(
            "a" * 199 + "!", ["(a+)+$"], mode="regex", timeout=0.05, on_timeout=timed_out.append))
        assert (grade.score, timed_out) == (0.0, []) and seconds < 1.0


def run_with_deadline(grade, deadline: float = 5.0):
    """``grade()``'s result and its wall time, run in a daemon thread, so that a grade that never
    ends fails the test after ``deadline`` seconds instead of hanging the run."""
    result = []
    start = time.perf_counter()
    worker = threading.Thread(target=lambda: result.append(grade()), daemon=True)
    worker.start()
    worker.join(deadline)
    assert result, f"grading was still running after {deadline} s"
    return result[0], time.perf_counter() - start


class TestCreditForTry:
    @pytest.mark.parametrize(
        "score, try_number, credit",
        [(1.0, 1, 1.0), (1.0, 2, 0.7), (1.0, 3, 0.5), (1.0, 4, 0.0), (0.5, 2, 0.35), (0.0, 1, 0.0)],
    )
    def test_score_times_credit_of_the_try(self, score, try_number, credit):
        assert credit_for_try(score, try_number, [1.0, 0.7, 0.5]) == pytest.approx(credit)

    def test_try_numbers_start_at_one(self):
        with pytest.raises(ValueError):
            credit_for_try(1.0, 0, [1.0])
