"""Grading of one answer to one question: pure functions, no Django, no database.

Each ``grade_*`` function takes the student's parsed answer and the question's configuration and
returns a ``Grade``. Feedback never reveals the correct answer: for choice questions it counts right
and wrong picks; which unpicked choices were right is only in ``choice_marks`` ("missed"), and the
caller decides whether that may be shown yet.
"""

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

import regex

from compute.tolerance import within

FULL_SCORE = 1.0  # a score at least this high is a correct answer
CORRECT = "Correct."
NOT_CORRECT = "Not correct."
MULTIPLE_MODES = ("all_or_nothing", "net_correct", "each_answer", "fractions")
MOODLE_EPSILON = 1e-6  # Moodle's graded_state_for_fraction: a fraction this close to 1 is right, to 0 wrong
REGEX_INPUT_LIMIT = 200  # characters of a text answer matched against a regex: bounds backtracking
REGEX_TIMEOUT = 0.05  # seconds one pattern may spend on one answer (the site's setting is passed in)
REGEX_TRIES = 3  # a match that ran out of time while waiting for the CPU is tried again, this often in all


@dataclass(frozen=True)
class Grade:
    score: float  # in [0, 1]
    feedback: str  # one or two sentences for the student
    # choice id -> "correct" (picked, right), "wrong" (picked, not right), "missed" (not picked, right)
    choice_marks: dict[int, str] = field(default_factory=dict)
    mistake: str = ""  # computed questions: the name of the known mistake the answer matches
    cells: tuple[bool, ...] = ()  # vector/matrix answers: which cells (row-major) are right
    steps: tuple[dict, ...] = ()  # multi-step answers: each asked step's mark (``quizzes.step_grading``)

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be in [0, 1], got {self.score!r}")

    @property
    def verdict(self) -> str:
        if is_full_score(self.score):
            return "correct"
        return "partial" if self.score > 0.0 else "incorrect"


def is_full_score(score: float | None) -> bool:
    """Whether ``score`` (a fraction of the question, None before grading) makes an answer correct."""
    return score is not None and score >= FULL_SCORE


def _right_or_wrong(ok: bool) -> Grade:
    return Grade(1.0 if ok else 0.0, CORRECT if ok else NOT_CORRECT)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- choices -------------------------------------------------------------------------------------


def _marks(selected: set[int], correct_ids: set[int]) -> dict[int, str]:
    marks = {i: "correct" for i in selected & correct_ids}
    marks.update({i: "wrong" for i in selected - correct_ids})
    marks.update({i: "missed" for i in correct_ids - selected})
    return marks


def moodle_score(total: float) -> float:
    """A sum of Moodle fractions as a score: kept in [0, 1], and within ``MOODLE_EPSILON`` of 1 (three
    picks of 33.33333 %) or of 0 taken as exactly that, as Moodle's ``graded_state_for_fraction`` counts
    such a fraction right or wrong."""
    score = min(max(total, 0.0), 1.0)
    if score > 1.0 - MOODLE_EPSILON:
        return 1.0
    return 0.0 if score < MOODLE_EPSILON else score


def percent(score: float) -> str:
    """A score or fraction as students and authors read it: "50 %", "33.33 %", "-25 %"."""
    return f"{score * 100:.4g} %"


def _fraction_of(fractions: Mapping[int, float | None], choice_id: int) -> float:
    fraction = fractions.get(choice_id)
    if fraction is None:
        raise ValueError(f"choice {choice_id} has no fraction (every choice needs one when graded by fractions)")
    return fraction


def grade_single_choice(
    selected: int, correct_ids: set[int], fractions: Mapping[int, float | None] | None = None
) -> Grade:
    """One picked choice id against the correct one(s) (normally exactly one).

    Without ``fractions`` (choice id -> Moodle fraction): 1 for a correct choice, else 0. With them,
    graded as Moodle grades a single-answer multichoice: the picked choice's fraction. Moodle lets a
    negative fraction take marks away; scores here are in [0, 1], so a negative fraction scores 0
    (see ``moodle_score``). Raises ValueError when the picked choice has no fraction.
    """
    marks = _marks({selected}, set(correct_ids))
    if fractions is None:
        ok = selected in correct_ids
        return Grade(1.0 if ok else 0.0, CORRECT if ok else NOT_CORRECT, marks)
    score = moodle_score(_fraction_of(fractions, selected))
    if is_full_score(score):
        return Grade(score, CORRECT, marks)
    if score > 0:
        return Grade(score, f"Partially correct: {percent(score)} of the points.", marks)
    return Grade(score, NOT_CORRECT, marks)


def grade_multiple_choice(
    selected: set[int],
    correct_ids: set[int],
    all_ids: set[int],
    mode: str,
    fractions: Mapping[int, float | None] | None = None,
) -> Grade:
    """Picked choice ids against the correct ones, scored by ``mode``:

    - "all_or_nothing": 1 if exactly the correct choices are picked, else 0;
    - "net_correct": (right picks - wrong picks) / number of correct choices, at least 0;
    - "each_answer": share of all choices whose picked / not-picked state is right;
    - "fractions": as Moodle grades a multiple-answer multichoice: the sum of the picked choices'
      ``fractions`` (choice id -> fraction, negative ones included), kept in [0, 1] (``moodle_score``).

    Marks (correct, wrong, missed) follow ``correct_ids`` in every mode.
    Preconditions: ``correct_ids`` is not empty and ``selected`` and ``correct_ids`` are subsets of
    ``all_ids`` (the caller parsed the answer against the question's choices); in "fractions" mode every
    picked choice has a fraction. Else ValueError.
    """
    selected, correct_ids, all_ids = set(selected), set(correct_ids), set(all_ids)
    if not correct_ids:
        raise ValueError("a multiple-choice question needs at least one correct choice")
    if not (selected | correct_ids) <= all_ids:
        raise ValueError(f"choice ids {sorted((selected | correct_ids) - all_ids)} are not in all_ids")
    right, wrong = len(selected & correct_ids), len(selected - correct_ids)
    missed = len(correct_ids) - right
    if mode == "all_or_nothing":
        score = 1.0 if selected == correct_ids else 0.0
    elif mode == "net_correct":
        score = max(0.0, (right - wrong) / len(correct_ids))
    elif mode == "each_answer":
        score = (len(all_ids) - wrong - missed) / len(all_ids)
    elif mode == "fractions":
        if fractions is None:
            raise ValueError("multiple-choice mode 'fractions' needs the choices' fractions")
        score = moodle_score(math.fsum(_fraction_of(fractions, choice_id) for choice_id in sorted(selected)))
    else:
        raise ValueError(f"unknown multiple-choice mode {mode!r}: use {', '.join(MULTIPLE_MODES)}")
    if is_full_score(score):
        feedback = CORRECT
    else:
        head = "Partially correct" if score > 0 else "Not correct"
        wrong_text = "no wrong picks" if wrong == 0 else _count(wrong, "wrong pick")
        picked = f"{right} of {_count(len(correct_ids), 'correct choice')} picked"
        points = f"; {percent(score)} of the points" if mode == "fractions" and score > 0 else ""
        feedback = f"{head}: {picked}, {wrong_text}{points}."
    return Grade(score, feedback, _marks(selected, correct_ids))


def grade_true_false(answer: bool, expected: bool) -> Grade:
    return _right_or_wrong(answer == expected)


# --- numbers -------------------------------------------------------------------------------------


def _decimal(x: float) -> Decimal:
    # repr gives the shortest decimal that round-trips to the float, i.e. the number as typed:
    # 2.675 becomes Decimal("2.675"), not the float's exact binary value 2.67499999999999982236431605….
    return Decimal(repr(float(x)))


def _round_sigfigs(x: float, digits: int) -> Decimal:
    d = _decimal(x)
    if d.is_zero():
        return Decimal(0)  # zero has no significant figures: it only equals another zero
    with localcontext() as ctx:
        ctx.prec = digits + 2  # enough for the quantize below, which rounds to `digits` figures
        return d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_HALF_UP)


def _round_decimals(x: float, digits: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 400  # a float has at most 309 integer digits; 15 decimals on top must fit
        return _decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _numeric_ok(
    value: float, expected: float, mode: str, rtol: float, atol: float, digits: int | None
) -> bool:
    if mode == "tolerance":
        return within(value, expected, rtol, atol)
    if mode not in ("sigfigs", "decimals"):
        raise ValueError(f"unknown numeric mode {mode!r}: use tolerance, sigfigs or decimals")
    if digits is None:
        raise ValueError(f"numeric mode {mode!r} needs digits")
    rounded = _round_sigfigs if mode == "sigfigs" else _round_decimals
    return rounded(value, digits) == rounded(expected, digits)


def grade_numeric(
    value: float,
    expected: float,
    *,
    mode: str = "tolerance",
    rtol: float = 0.01,
    atol: float = 1e-3,
    digits: int | None = None,
) -> Grade:
    """A number against the expected one, by ``mode``:

    - "tolerance": correct when |value - expected| <= atol + rtol * |expected| (plus a few ulps, so a
      value exactly on the boundary is accepted despite binary rounding);
    - "sigfigs": correct when both round to the same ``digits`` significant figures;
    - "decimals": correct when both round to the same ``digits`` decimal places.

    Rounding is half-up (away from zero) on the shortest decimal form of each float (``repr``), so it
    rounds the number as written: 2.675 to 2 decimals is 2.68, although the float 2.675 lies just below.
    In sigfigs mode an expected 0 has no significant figures and accepts only 0.

    A wrong answer whose negation would be accepted gets "Check the sign."; nothing else is hinted.
    """
    if not math.isfinite(value):
        return Grade(0.0, "Not correct: enter a finite number.")
    if _numeric_ok(value, expected, mode, rtol, atol, digits):
        return Grade(1.0, CORRECT)
    if value != 0 and _numeric_ok(-value, expected, mode, rtol, atol, digits):
        return Grade(0.0, "Not correct. Check the sign.")
    return Grade(0.0, NOT_CORRECT)


# --- computed ------------------------------------------------------------------------------------


def _flat(x) -> list[float]:
    if isinstance(x, list | tuple):
        return [v for item in x for v in _flat(item)]
    return [float(x)]


def grade_computed(
    value, answer, *, rtol: float, atol: float, mistakes=(), per_cell_credit: bool = False
) -> Grade:
    """A computed scalar, vector or matrix answer against the generator's exact ``answer``.

    ``value`` and ``answer`` are a float or nested lists of the same shape (the caller parsed one
    box per cell). Each cell is right when |s - t| <= atol + rtol * |t|. All cells right: score 1;
    otherwise 0, or the share of right cells with ``per_cell_credit``. ``mistakes`` are dicts
    ``{"name", "message", "value"}``: a wrong answer matching a mistake's value (every cell, same
    tolerance) gets that message and ``Grade.mistake`` set to its name.
    """
    cells_value, cells_answer = _flat(value), _flat(answer)
    if len(cells_value) != len(cells_answer):
        raise ValueError(f"expected {len(cells_answer)} numbers, got {len(cells_value)}")
    if not all(math.isfinite(v) for v in cells_value):
        return Grade(0.0, "Not correct: enter finite numbers.")
    cells = tuple(within(v, t, rtol, atol) for v, t in zip(cells_value, cells_answer, strict=True))
    is_array = isinstance(answer, list | tuple)
    if all(cells):
        return Grade(1.0, CORRECT, cells=cells if is_array else ())
    score = sum(cells) / len(cells) if per_cell_credit and is_array else 0.0
    head = f"{sum(cells)} of {len(cells)} entries are right." if is_array else NOT_CORRECT
    for mistake in mistakes:
        known = _flat(mistake["value"])
        if len(known) == len(cells_value) and all(
            within(v, k, rtol, atol) for v, k in zip(cells_value, known, strict=True)
        ):
            return Grade(
                score,
                f"{head} {mistake['message']}",
                mistake=mistake["name"],
                cells=cells if is_array else (),
            )
    if not is_array and cells_value[0] != 0 and within(-cells_value[0], cells_answer[0], rtol, atol):
        return Grade(score, "Not correct. Check the sign.", cells=())
    return Grade(score, head, cells=cells if is_array else ())


# --- text ----------------------------------------------------------------------------------------


def _normalize(text: str) -> str:
    return " ".join(text.split())


def grade_text(
    text: str,
    accepted: list[str],
    *,
    mode: str,
    timeout: float = REGEX_TIMEOUT,
    on_timeout: Callable[[str], None] | None = None,
) -> Grade:
    """A short text against the accepted answers, by ``mode``:

    - "exact": equal after stripping surrounding whitespace and collapsing inner runs to one space;
    - "case_insensitive": the same, compared casefolded;
    - "regex": some pattern full-matches the stripped text, cut to its first 200 characters
      (a pattern that does not compile is skipped; ``validate_question`` rejects it on save).
      Each pattern may take ``timeout`` seconds: one that takes longer counts as not matching
      (the answer is graded, never left hanging) and is passed to ``on_timeout``, so the caller
      can tell the instructor. The time limit bounds a regex's catastrophic backtracking.
    """
    if mode == "exact":
        answer = _normalize(text)
        return _right_or_wrong(any(answer == _normalize(a) for a in accepted))
    if mode == "case_insensitive":
        answer = _normalize(text).casefold()
        return _right_or_wrong(any(answer == _normalize(a).casefold() for a in accepted))
    if mode == "regex":
        answer = text.strip()[:REGEX_INPUT_LIMIT]
        for pattern in accepted:
            try:
                if pattern_fullmatches(pattern, answer, timeout=timeout):
                    return _right_or_wrong(True)
            except TimeoutError:
                if on_timeout is not None:
                    on_timeout(pattern)
        return _right_or_wrong(False)
    raise ValueError(f"unknown text mode {mode!r}: use exact, case_insensitive or regex")


def pattern_fullmatches(pattern: str, text: str, *, timeout: float) -> bool:
    """Whether ``pattern`` matches the whole of ``text``; False for a pattern that does not compile.

    Patterns use the ``regex`` module, whose syntax is ``re``'s (plus a few extensions) and which
    can stop a match after ``timeout`` seconds: then this raises ``TimeoutError``. ``re`` cannot be
    stopped, and a pattern such as ``(a|aa)+$`` on thirty a's and a "!" backtracks for hours.

    The module's limit is wall-clock time, so a match that merely waited for the CPU (a busy
    machine) also runs out of it; such a match, which used less than half its time computing, is
    tried again (up to ``REGEX_TRIES`` times), so that a busy server does not mark a right answer wrong.
    """
    try:
        compiled = regex.compile(pattern)
    except regex.error:
        return False
    for _ in range(REGEX_TRIES):
        computing = time.thread_time()
        try:
            return compiled.fullmatch(text, timeout=timeout) is not None
        except TimeoutError:
            if time.thread_time() - computing >= timeout / 2:
                raise  # it was backtracking all along
    raise TimeoutError(f"no match within {timeout} s in {REGEX_TRIES} tries (the machine is very busy)")


# --- tries ---------------------------------------------------------------------------------------


def credit_for_try(score: float, try_number: int, credits: list[float]) -> float:
    """Fraction of a question's points earned by ``score`` on try ``try_number`` (1-based).

    ``credits`` is the quiz's fraction per try (graded mode, see ``Quiz.credits``): with
    [1.0, 0.7, 0.5] a fully correct answer earns 1.0 on the first try, 0.7 on the second, 0.5 on
    the third and 0 on any later one; a partial score of 0.5 on the second try earns 0.35.
    """
    if try_number < 1:
        raise ValueError(f"try_number starts at 1, got {try_number}")
    if try_number > len(credits):
        return 0.0
    return score * credits[try_number - 1]
