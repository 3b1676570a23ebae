"""Class statistics for the staff of a course: per question of a quiz, and per student.

Stable interface (the HTML pages and the REST API both call it): ``question_statistics(quiz=)``
and ``student_overview(course=)``, returning the frozen dataclasses below.

Definitions. Only users enrolled as students of the quiz's course count (staff previews do not).
A student's *tries* on a question are their graded submissions on it, across all variants, in
time order; the *first* and *last* try are the first and last of those.

- ``students``: students with at least one try on the question.
- ``facility_first`` / ``facility_last``: mean score of the first / last tries of those students.
- ``sd``: population standard deviation of the last-try scores.
- ``discrimination``: corrected item-total correlation (Pearson; point-biserial for right/wrong
  questions) over the students with at least one try on the quiz: the question's last-try score
  (0 when not tried) against the sum of the last-try scores of the quiz's other questions.
  None with fewer than two such students or when either side does not vary.
- ``invalid_share``: invalid answers / (graded + invalid answers).
- ``median_tries_to_correct``: over students who ever got it right, the tries up to and
  including the first correct one.
- ``median_seconds``: over students who tried, the time spent on the question
  (``progress.reports.answer_seconds``) up to their first correct answer, or to their last answer.
- ``wrong_answers``: the five most common wrong answers (tries with a score below 1), normalised
  (choices by letter, numbers to 6 significant digits, text in lower case with single spaces),
  with the number of tries that gave them; ``wrong_values`` holds, aligned with them, the parsed value
  of the first try that gave each (choice ids for choice questions: pages show the choices' texts).
- ``mistakes``: for kinds that name mistakes (computed questions' generators, the expected wrong answers
  of numeric and short-text questions), each named mistake -> its share of the wrong tries.
- ``histogram``: last-try scores in 10 bins: [0, 0.1), [0.1, 0.2), ..., [0.9, 1].
- ``steps``: for a multi-step question (``progress.step_answers.question_steps``), per asked step the
  marks of the last tries, the first wrong step and the most common wrong value
  (``progress.step_statistics``); None for other questions.
"""

import statistics as stats
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from courses.models import Enrolment
from progress.reports import LectureProgress, answer_seconds, class_progress
from progress.step_answers import question_steps
from progress.step_statistics import StepStatistics, step_statistics
from quizzes import mastery
from quizzes.models import Question, Quiz, Submission, Variant

BINS = 10
TOP_WRONG_ANSWERS = 5


@dataclass(frozen=True)
class QuestionStatistics:
    question_id: int
    title: str
    students: int
    facility_first: float | None
    facility_last: float | None
    sd: float | None
    discrimination: float | None
    invalid_share: float | None
    median_tries_to_correct: float | None
    median_seconds: float | None
    wrong_answers: list[tuple[str, int]]
    mistakes: dict[str, float]
    histogram: list[int]
    wrong_values: list[object] = field(default_factory=list)  # aligned with wrong_answers
    # (version, tries, mean score of those tries) per version of the question that has tries, when
    # answers came in under more than one version (``quizzes.questions.question_version_update``)
    versions: list[tuple[int, int, float]] = field(default_factory=list)
    steps: StepStatistics | None = None  # multi-step questions only


@dataclass(frozen=True)
class StudentProgressRow:
    user_id: int
    username: str
    lectures: dict[int, LectureProgress]  # lecture id -> progress (every lecture with questions)

    @property
    def total(self) -> LectureProgress:
        return LectureProgress.combined(self.lectures.values())


@dataclass(frozen=True)
class _Answer:
    student_id: int
    question_id: int
    status: str
    score: float | None
    raw: str
    value: object
    mistake: str
    seconds: float
    version: int = 1
    step_marks: list = field(default_factory=list)  # multi-step questions' graded answers

    @property
    def is_try(self) -> bool:
        return mastery.is_try(self)

    @property
    def is_correct(self) -> bool:
        return mastery.is_correct(self)


def _students_of(quiz: Quiz):
    enrolments = Enrolment.objects.filter(course__lectures__quizzes=quiz, role=Enrolment.Role.STUDENT)
    return enrolments.values("user_id")


def _load(quiz: Quiz) -> tuple[list[Question], list[_Answer]]:
    """The quiz's questions (with choices) and its students' answers in time order; four queries."""
    questions = list(quiz.questions.prefetch_related("choices"))
    students = _students_of(quiz)
    variants = Variant.objects.filter(question__quiz=quiz, student__in=students)
    opened: dict[int, list] = defaultdict(list)
    question_of, student_of = {}, {}
    for variant_id, student_id, question_id, created in variants.values_list(
        "id", "student_id", "question_id", "created_at"
    ):
        opened[student_id].append(created)
        question_of[variant_id], student_of[variant_id] = question_id, student_id
    rows = (
        Submission.objects.filter(variant__question__quiz=quiz, variant__student__in=students)
        .order_by("created_at", "id")
        .values_list("variant_id", "created_at", "status", "score", "raw", "value", "mistake", "question_version",
                     "step_marks")
    )
    by_student: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        if row[0] in student_of:
            by_student[student_of[row[0]]].append(row)
    answers = []
    for student_id, student_rows in by_student.items():
        seconds = answer_seconds(opened[student_id], [row[1] for row in student_rows])
        for row, spent in zip(student_rows, seconds, strict=True):
            variant_id, _, status, score, raw, value, mistake, version, marks = row
            answers.append(_Answer(student_id, question_of[variant_id], status, score, raw, value, mistake, spent,
                                   version, marks or []))
    return questions, answers


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation; None for fewer than two pairs or when either side is constant."""
    if len(xs) < 2:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx < 1e-12 or syy < 1e-12:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / (sxx * syy) ** 0.5


def histogram(scores: list[float], bins: int = BINS) -> list[int]:
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, int(score * bins + 1e-9)))] += 1
    return counts


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _one_question(question: Question, answers: list[_Answer], last: dict[int, dict[int, float]],
                  quiz_students: list[int]) -> QuestionStatistics:
    """Statistics of one question from its answers (all students, time order)."""
    per_student: dict[int, list[_Answer]] = defaultdict(list)
    for answer in answers:
        per_student[answer.student_id].append(answer)
    firsts, lasts, last_tries, tries_to_correct, seconds = [], [], [], [], []
    for rows in per_student.values():
        tries = [a for a in rows if a.is_try]
        if not tries:
            continue
        firsts.append(tries[0].score or 0.0)
        lasts.append(tries[-1].score or 0.0)
        last_tries.append(tries[-1])
        first_correct = next((i for i, a in enumerate(tries) if a.is_correct), None)
        if first_correct is not None:
            tries_to_correct.append(first_correct + 1)
        until = next((i for i, a in enumerate(rows) if a.is_correct), len(rows) - 1)
        seconds.append(sum(a.seconds for a in rows[: until + 1]))
    wrong = [a for a in answers if a.is_try and not a.is_correct]
    normalise = question.kind_spec.normaliser(question)
    counted, example = Counter(), {}
    for a in wrong:
        key = normalise(a.raw, a.value)
        counted[key] += 1
        example.setdefault(key, a.value)
    top = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_WRONG_ANSWERS]
    judged = [a for a in answers if a.is_try or a.status == Submission.Status.INVALID]
    invalid = sum(a.status == Submission.Status.INVALID for a in judged)
    steps = question_steps(question)
    item = [last[s].get(question.id, 0.0) for s in quiz_students]
    rest = [sum(last[s].values()) - x for s, x in zip(quiz_students, item, strict=True)]
    return QuestionStatistics(
        question_id=question.id,
        title=question.title or f"Question {question.position}",
        students=len(lasts),
        facility_first=_mean(firsts),
        facility_last=_mean(lasts),
        sd=stats.pstdev(lasts) if lasts else None,
        discrimination=correlation(item, rest),
        invalid_share=invalid / len(judged) if judged else None,
        median_tries_to_correct=stats.median(tries_to_correct) if tries_to_correct else None,
        median_seconds=stats.median(seconds) if seconds else None,
        wrong_answers=top,
        mistakes=(
            {name: n / len(wrong) for name, n in Counter(a.mistake for a in wrong if a.mistake).most_common()}
            if question.kind_spec.named_mistakes
            else {}
        ),
        histogram=histogram(lasts),
        wrong_values=[example[key] for key, _ in top],
        versions=_by_version(answers),
        steps=step_statistics(steps, [(a.value, a.step_marks) for a in last_tries],
                              [(a.value, a.step_marks) for a in answers if a.is_try]) if steps else None,
    )


def _by_version(answers: list[_Answer]) -> list[tuple[int, int, float]]:
    """(version, tries, mean score) per version with tries; [] while all tries share one version."""
    scores: dict[int, list[float]] = defaultdict(list)
    for answer in answers:
        if answer.is_try:
            scores[answer.version].append(answer.score or 0.0)
    if len(scores) < 2:
        return []
    return [(version, len(values), sum(values) / len(values)) for version, values in sorted(scores.items())]


def question_statistics(*, quiz: Quiz) -> list[QuestionStatistics]:
    """Statistics of each question of ``quiz`` (in quiz order) over its course's students.

    Four queries whatever the number of students, questions or submissions.
    """
    questions, answers = _load(quiz)
    last: dict[int, dict[int, float]] = defaultdict(dict)  # student -> question -> last-try score
    by_question: dict[int, list[_Answer]] = defaultdict(list)
    for answer in answers:
        by_question[answer.question_id].append(answer)
        if answer.is_try:
            last[answer.student_id][answer.question_id] = answer.score or 0.0
    quiz_students = sorted(last)
    return [_one_question(q, by_question[q.id], last, quiz_students) for q in questions]


def student_overview(*, course) -> list[StudentProgressRow]:
    """Progress per lecture of every student of ``course``, by username; five queries."""
    students = list(
        Enrolment.objects.filter(course=course, role=Enrolment.Role.STUDENT)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
    progress = class_progress(course=course, student_ids=[user_id for user_id, _ in students])
    return [StudentProgressRow(user_id, username, progress[user_id]) for user_id, username in students]
