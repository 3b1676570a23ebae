"""Regrading a question after its author fixed it: every graded answer graded again, fairly.

``question_regrade`` grades every graded try of a question again against the question as it is now
(its kind, settings and choices). A computed question's variants are first solved again with the
question's current generator config, from the same seeds and the same numbers the students saw, so
a wrong answer key is corrected without changing anyone's question. With ``dry_run`` (the default)
nothing is written and the report says what would change; otherwise, in one transaction, the
variants get their new solutions, each changed answer its new score, points and feedback, a
``Regrade`` record (old, new, who, when, why) and ``regraded_at`` (shown to the student on the
question). Progress, statistics, the leaderboard and the API read the stored scores, so they follow.

Points are recomputed with the quiz's credits for the answer's try (``submissions.grade_apply``);
mastery follows the new scores. Invalid and pending answers are left alone (pending ones are
graded when their variant is ready, against the fixed question anyway).
"""

import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from quizzes.models import Question, Regrade, Submission, Variant
from quizzes.submissions import grade_apply
from quizzes.variants import ready_fields

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """One answer whose score or points a regrade changes."""

    submission_id: int
    student: str
    try_number: int | None
    old_score: float | None
    new_score: float
    old_points: float | None
    new_points: float


@dataclass
class RegradeReport:
    question_id: int
    question: str
    version: int
    checked: int = 0  # graded answers graded again
    resolved: int = 0  # computed variants solved again
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # variants that could not be solved again (left as they were)
    applied: bool = False

    @property
    def students(self) -> int:
        return len({change.student for change in self.changes})


def question_regrade(*, question: Question, dry_run: bool = True, by=None, reason: str = "",
                     now=None) -> RegradeReport:
    """Grade every graded answer to ``question`` again (see the module docstring); returns what
    changed, or with ``dry_run`` what would. ``by`` (a user) and ``reason`` go into the records."""
    now = now or timezone.now()
    question = Question.objects.select_related("quiz").get(pk=question.pk)
    report = RegradeReport(question_id=question.pk, question=str(question), version=question.version)
    kind, choices = question.kind_spec, list(question.choices.all())
    variants = {v.pk: v for v in Variant.objects.filter(question=question).select_related("student")}
    solved = _solved_again(question, variants, report) if kind.is_computed else {}
    answers = Submission.objects.filter(variant__question=question, status=Submission.Status.GRADED)
    regraded = []
    for submission in answers.order_by("created_at", "id"):
        variant = solved.get(submission.variant_id, variants[submission.variant_id])
        if kind.is_computed and not variant.is_ready:
            continue
        old_score, old_points = submission.score, submission.points
        grade = kind.grade(question, submission.value, choices=choices, variant=variant)
        grade_apply(submission, grade, question=question, now=submission.graded_at or now)
        report.checked += 1
        if (submission.score, submission.points) != (old_score, old_points):
            report.changes.append(Change(submission.pk, variant.student.username, submission.try_number, old_score,
                                         submission.score, old_points, submission.points))
            regraded.append((submission, old_score, old_points))
    if not dry_run:
        _store(question, solved, regraded, by=by, reason=reason, now=now)
        report.applied = True
    return report


def _solved_again(question: Question, variants: dict[int, Variant], report: RegradeReport) -> dict[int, Variant]:
    """Each solved variant as the question's current generator config solves its numbers (unsaved
    copies, by id). One that cannot be solved so stays as it was, with a message in the report."""
    kind = question.kind_spec
    generator, config = kind.setting(question, "generator"), kind.config(question)
    solved = {}
    for variant in variants.values():
        if variant.status != Variant.Status.READY:
            continue
        copy = Variant(pk=variant.pk, question=question, student=variant.student, seed=variant.seed,
                       number=variant.number, params=variant.params, generator=generator, config=config)
        start = time.perf_counter()
        try:
            row = kind.solve(question, copy, "cpu")
        except Exception as error:  # a config whose numbers do not fit the old ones: keep the variant
            log.warning("regrade of question %s: variant %s not solved again", question.pk, variant.pk, exc_info=True)
            report.errors.append(f"{variant.student.username}'s variant: {type(error).__name__}: {error}")
            continue
        for name, value in ready_fields(row, compute_ms=(time.perf_counter() - start) * 1000, device="cpu").items():
            setattr(copy, name, value)
        solved[variant.pk] = copy
        report.resolved += 1
    return solved


@transaction.atomic
def _store(question: Question, solved: dict[int, Variant], regraded: list, *, by, reason: str, now) -> None:
    """Write the solved variants, the changed answers and their ``Regrade`` records."""
    stored = ["generator", "config", "answer", "values", "mistakes", "tolerance", "compute_ms", "device"]
    Variant.objects.bulk_update(list(solved.values()), stored, batch_size=500)
    changed = ["score", "points", "feedback", "mistake", "choice_feedback", "cell_marks", "step_marks",
               "regraded_at"]
    for submission, _, _ in regraded:
        submission.regraded_at = now
    Submission.objects.bulk_update([s for s, _, _ in regraded], changed, batch_size=500)
    Regrade.objects.bulk_create([
        Regrade(submission=submission, old_score=old_score, new_score=submission.score, old_points=old_points,
                new_points=submission.points, question_version=question.version, reason=reason, regraded_by=by,
                regraded_at=now)
        for submission, old_score, old_points in regraded
    ])
