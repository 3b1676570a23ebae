"""A student's progress, derived from their submissions (nothing is stored).

Definitions (shown to students on the progress page, see ``templates/quizzes/progress.html``):

- A *try* is a graded submission; invalid input costs no try and is not one.
- A question is *mastered* when the latest graded try on it (any variant) was correct.
- *Time spent* on an answer is the time since the student's previous event on the same quiz
  (a variant made, e.g. by opening the quiz page, or an earlier answer), at most ``GAP_CAP``;
  breaks longer than that count as ``GAP_CAP``. Every stored answer counts, invalid ones too.
- Weeks are ISO weeks (Monday to Sunday) in the site's time zone, named by their Monday.
- The *streak* is the number of consecutive weeks with at least one try, ending this week, or
  last week while this week has none yet.

Only published quizzes count. Each public function runs a fixed number of queries whatever the
number of lectures, questions or submissions.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from courses.models import Lecture
from quizzes import mastery, visibility
from quizzes.grading import is_full_score
from quizzes.kinds import get_kind
from quizzes.models import Question, Quiz, Submission, Variant

GAP_CAP = timedelta(minutes=10)
MAX_WEEKS = 52  # weeks shown in the history charts (the most recent ones)


@dataclass(frozen=True)
class LectureProgress:
    total: int  # questions in the lecture's published quizzes
    tried: int  # questions with at least one graded try
    mastered: int  # questions whose latest graded try was correct
    tries: int = 0  # graded submissions
    correct: int = 0  # graded submissions with full score
    seconds: float = 0.0  # time spent (see the module docstring)

    @property
    def percent(self) -> int:
        return round(100 * self.mastered / self.total) if self.total else 0

    @property
    def correct_rate(self) -> float | None:
        """Share of tries that were correct; None before the first try."""
        return self.correct / self.tries if self.tries else None

    @classmethod
    def combined(cls, parts: Iterable["LectureProgress"]) -> "LectureProgress":
        """The sum of several lectures' progress (e.g. a whole course)."""
        parts = list(parts)
        names = ("total", "tried", "mastered", "tries", "correct", "seconds")
        return cls(*(sum(getattr(part, name) for part in parts) for name in names))


@dataclass(frozen=True)
class WeekActivity:
    week: date  # the Monday of the ISO week
    tries: int  # graded tries made in the week
    mastered: int  # questions mastered at the end of the week (cumulative)


@dataclass(frozen=True)
class ReviewItem:
    """A question to redo (latest try not correct) or to try for the first time."""

    question_id: int
    title: str
    lecture_number: int
    lecture_title: str
    quiz_title: str
    status: str  # "not_tried", "wrong" or "partial"
    url: str  # the quiz page, scrolled to the question
    new_variant_url: str = ""  # practice-mode computed questions tried before: POST for a fresh variant


@dataclass(frozen=True)
class LectureReport:
    lecture: Lecture
    progress: LectureProgress


@dataclass(frozen=True)
class CourseProgressReport:
    lectures: list[LectureReport]
    weeks: list[WeekActivity]  # from the week of the first try to this week (at most MAX_WEEKS)
    streak: int
    review: list[ReviewItem]
    total: LectureProgress = field(default_factory=lambda: LectureProgress(0, 0, 0))

    @property
    def has_started(self) -> bool:
        return self.total.tries > 0

    @property
    def to_redo(self) -> list["ReviewItem"]:
        """Review items answered but not right yet (wrong or partly right), in course order."""
        return [item for item in self.review if item.status != "not_tried"]

    @property
    def not_tried(self) -> list["ReviewItem"]:
        """Review items not tried yet, in course order."""
        return [item for item in self.review if item.status == "not_tried"]


# --- pure rules ----------------------------------------------------------------------------------


def week_of(moment: datetime | date) -> date:
    """The Monday of the ISO week of ``moment`` (an aware datetime is taken in local time)."""
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def streak(active_weeks: Iterable[date], today: date) -> int:
    """Consecutive active weeks (Mondays) ending this week, or last week if this week is idle."""
    active = {week_of(w) for w in active_weeks}
    week = week_of(today)
    if week not in active:
        week -= timedelta(days=7)
    count = 0
    while week in active:
        count += 1
        week -= timedelta(days=7)
    return count


def answer_seconds(
    opened: Iterable[datetime], answered: Sequence[datetime], cap: timedelta = GAP_CAP
) -> list[float]:
    """Seconds each answer took, for one student on one quiz (aligned with ``answered``).

    ``opened`` are the times the student's variants of the quiz's questions were made; an answer
    took the time since the previous event (variant or answer), at most ``cap``; 0 without one.
    """
    events = sorted([(t, 0, -1) for t in opened] + [(t, 1, i) for i, t in enumerate(answered)])
    seconds = [0.0] * len(answered)
    previous = None
    for moment, is_answer, index in events:
        if is_answer and previous is not None:
            seconds[index] = min(cap, moment - previous).total_seconds()
        previous = moment
    return seconds


# --- loading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    student_id: int
    question_id: int
    quiz_id: int
    variant_id: int
    created_at: datetime
    status: str
    score: float | None
    try_number: int | None
    seconds: float
    after_reveal: bool = False  # sent after the solution was shown: a try, but not mastery

    @property
    def is_try(self) -> bool:
        return mastery.is_try(self)

    @property
    def is_correct(self) -> bool:
        return mastery.is_correct(self)


@dataclass(frozen=True)
class PublishedQuestion:
    """What progress needs of a question: its place and name, not its texts."""

    id: int
    quiz_id: int
    quiz: Quiz  # with its lecture; shared by the quiz's questions
    title: str
    position: int
    kind: str

    @property
    def is_computed(self) -> bool:
        return get_kind(self.kind).is_computed


def _published_questions(course) -> list[PublishedQuestion]:
    """The course's active questions of published quizzes, in course order; two light queries
    (quizzes with their lectures, then the questions' ids, titles and kinds), sorted here: in SQL
    (and through the models' default orderings) the sort would join the questions up to the course."""
    quizzes = {
        quiz.id: quiz
        for quiz in Quiz.objects.filter(lecture__course=course, is_published=True)
        .select_related("lecture").defer("description", "lecture__description").order_by()
    }
    rows = (
        Question.objects.active()
        .filter(quiz_id__in=list(quizzes))
        .order_by()
        .values_list("id", "quiz_id", "title", "position", "kind")
    )

    def course_order(row):
        id, quiz_id, _, position, _ = row
        quiz = quizzes[quiz_id]
        return quiz.lecture.number, quiz.position, quiz_id, position, id

    return [PublishedQuestion(id, quiz_id, quizzes[quiz_id], title, position, kind)
            for id, quiz_id, title, position, kind in sorted(rows, key=course_order)]


def _answers(course, questions: list[PublishedQuestion], **student_filter) -> tuple[list[tuple], list[_Answer]]:
    """Variant rows (id, student, question, number, created) and answers with their seconds.

    ``questions`` are ``_published_questions(course)``; ``student_filter`` picks the variants'
    students (``student=user`` or ``student__in=ids``). Two queries, joined rather than listing
    variant ids, so that a large class stays within the database's parameter limits.
    """
    quiz_of = {q.id: q.quiz_id for q in questions}
    published = {"question__quiz__lecture__course": course, "question__quiz__is_published": True}
    variants = [
        row
        for row in Variant.objects.filter(**published, **student_filter).values_list(
            "id", "student_id", "question_id", "number", "created_at"
        )
        if row[2] in quiz_of  # not a question published since the first query
    ]
    by_id = {v[0]: v for v in variants}
    through_variant = {f"variant__{key}": value for key, value in {**published, **student_filter}.items()}
    rows = [
        row
        for row in Submission.objects.filter(**through_variant)
        .order_by("created_at", "id")
        .values_list("variant_id", "created_at", "status", "score", "try_number", "after_reveal")
        if row[0] in by_id
    ]
    opened: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for _, student_id, question_id, _, created in variants:
        opened[student_id, quiz_of[question_id]].append(created)
    grouped: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in rows:
        _, student_id, question_id, _, _ = by_id[row[0]]
        grouped[student_id, quiz_of[question_id]].append(row)
    answers = []
    for key, quiz_rows in grouped.items():
        seconds = answer_seconds(opened[key], [row[1] for row in quiz_rows])
        for (variant_id, created, status, score, try_number, late), spent in zip(quiz_rows, seconds, strict=True):
            question_id = by_id[variant_id][2]
            answers.append(
                _Answer(key[0], question_id, key[1], variant_id, created, status, score, try_number, spent, late)
            )
    answers.sort(key=lambda a: (a.created_at, a.variant_id))
    return variants, answers


def withheld_quiz_ids(course, now=None) -> set[int]:
    """Quizzes of ``course`` whose feedback students may not see yet (``quizzes.visibility``).

    What a student (or classmates, on the leaderboard) may see must not count answers to these:
    a mastered count, a right/wrong badge or points would tell whether an answer was right.
    """
    withheld = Quiz.objects.filter(lecture__course=course).feedback_withheld(now or timezone.now())
    return set(withheld.order_by().values_list("id", flat=True))


def _withheld_among(questions: list[PublishedQuestion], now) -> set[int]:
    """``withheld_quiz_ids`` of the quizzes of ``questions`` (already loaded: no query). Answers
    to unpublished quizzes never count, so the published ones are all that matter."""
    return {q.quiz_id for q in questions if not visibility.feedback_visible(q.quiz, now)}


def _visible(answers: list[_Answer], withheld: set[int]) -> list[_Answer]:
    return [a for a in answers if a.quiz_id not in withheld] if withheld else answers


def _summarise(questions: list[PublishedQuestion], answers: list[_Answer]) -> dict[int, LectureProgress]:
    """Lecture id -> progress of one student, from their answers in time order."""
    latest: dict[int, _Answer] = {}
    counts: dict[int, list] = {}
    lecture_of = {q.id: q.quiz.lecture_id for q in questions}
    for question in questions:
        counts.setdefault(question.quiz.lecture_id, [0, 0, 0, 0, 0, 0.0])[0] += 1
    for answer in answers:
        row = counts[lecture_of[answer.question_id]]
        row[5] += answer.seconds
        if answer.is_try:
            row[3] += 1
            row[4] += answer.is_correct
        if mastery.counts_for_mastery(answer):
            latest[answer.question_id] = answer
    for question_id, answer in latest.items():
        row = counts[lecture_of[question_id]]
        row[1] += 1
        row[2] += answer.is_correct
    return {lecture_id: LectureProgress(*row) for lecture_id, row in counts.items()}


# --- public --------------------------------------------------------------------------------------


def course_progress(*, student, course) -> dict[int, LectureProgress]:
    """Lecture id -> progress of ``student`` over the published quizzes of ``course``.

    Mastered means the latest graded try on the question (any variant) was correct. Answers to
    quizzes whose feedback is still withheld do not count (see ``withheld_quiz_ids``).
    Three queries whatever the size of the course (``tries``, ``correct`` and ``seconds`` stay 0:
    ``student_progress`` has them).
    """
    questions = dict(
        Question.objects.active().filter(quiz__lecture__course=course, quiz__is_published=True).order_by()
        .values_list("id", "quiz__lecture_id")
    )
    withheld = withheld_quiz_ids(course)
    latest: dict[int, float] = {}
    rows = (
        Submission.objects.for_user(student)
        .counting_for_mastery()
        .filter(variant__question_id__in=list(questions))
        .exclude(variant__question__quiz_id__in=withheld)
        .order_by("variant__question_id", "-created_at", "-id")
        .values_list("variant__question_id", "score")
    )
    for question_id, score in rows:
        latest.setdefault(question_id, score)
    totals: dict[int, list[int]] = {}
    for question_id, lecture_id in questions.items():
        counts = totals.setdefault(lecture_id, [0, 0, 0])
        counts[0] += 1
        if question_id in latest:
            counts[1] += 1
            counts[2] += is_full_score(latest[question_id])
    return {lecture_id: LectureProgress(*counts) for lecture_id, counts in totals.items()}


def class_progress(
    *, course, student_ids: Iterable[int], for_students: bool = False
) -> dict[int, dict[int, LectureProgress]]:
    """Student id -> lecture id -> full progress, for each of ``student_ids`` (four queries).

    ``for_students``: what students may see (their own progress, the leaderboard), so answers to
    quizzes whose feedback is withheld do not count. Staff pages see everything.
    """
    student_ids = list(student_ids)
    questions = _published_questions(course)
    _, answers = _answers(course, questions, student__in=student_ids)
    answers = _visible(answers, _withheld_among(questions, timezone.now()) if for_students else set())
    by_student: dict[int, list[_Answer]] = {student_id: [] for student_id in student_ids}
    for answer in answers:
        by_student[answer.student_id].append(answer)
    return {student_id: _summarise(questions, rows) for student_id, rows in by_student.items()}


@dataclass(frozen=True)
class CourseContent:
    """What a student's report reads of the course itself: its lectures, and its active questions
    of published quizzes (``PublishedQuestion``, each with its quiz and lecture), in course order."""

    lectures: list[Lecture]
    questions: list[PublishedQuestion]


def course_content(course) -> CourseContent:
    """The ``CourseContent`` of ``course``; three queries (lectures, quizzes, questions)."""
    lectures = list(course.lectures.order_by("number"))  # the default ordering would join the course
    return CourseContent(lectures=lectures, questions=_published_questions(course))


def student_progress(*, student, course, now=None, content: CourseContent | None = None) -> CourseProgressReport:
    """Everything the progress page shows ``student`` about ``course``; five queries (lectures,
    quizzes, questions, variants, answers), two when ``content`` (``course_content``) is given."""
    now = now or timezone.now()
    content = content or course_content(course)
    lectures, questions = content.lectures, content.questions
    variants, answers = _answers(course, questions, student=student)
    answers = _visible(answers, _withheld_among(questions, now))
    per_lecture = _summarise(questions, answers)
    empty = LectureProgress(0, 0, 0)
    reports = [LectureReport(lecture, per_lecture.get(lecture.id, empty)) for lecture in lectures]
    total = LectureProgress.combined(r.progress for r in reports)
    weeks = _weeks([a for a in answers if a.is_try], timezone.localdate(now))
    return CourseProgressReport(
        lectures=reports,
        weeks=weeks,
        streak=streak((w.week for w in weeks if w.tries), timezone.localdate(now)),
        review=_review(course, questions, variants, answers, now),
        total=total,
    )


def _weeks(tries: list[_Answer], today: date) -> list[WeekActivity]:
    """Tries per week and mastered questions at each week's end, first try's week to this week."""
    if not tries:
        return []
    first, last = week_of(tries[0].created_at), week_of(today)
    state: dict[int, bool] = {}
    weeks, index, week = [], 0, first
    while week <= last:
        count = 0
        while index < len(tries) and week_of(tries[index].created_at) <= week:
            if mastery.counts_for_mastery(tries[index]):
                state[tries[index].question_id] = tries[index].is_correct
            count, index = count + 1, index + 1
        weeks.append(WeekActivity(week, count, sum(state.values())))
        week += timedelta(days=7)
    return weeks[-MAX_WEEKS:]


def _review(course, questions, variants, answers: list[_Answer], now) -> list[ReviewItem]:
    """Questions the student can answer now whose latest try is not correct, or not tried yet."""
    latest: dict[int, _Answer] = {}
    current: dict[int, tuple[int, int]] = {}  # question -> (number, variant id) of the newest variant
    for variant_id, _, question_id, number, _ in variants:
        current[question_id] = max(current.get(question_id, (0, 0)), (number, variant_id))
    used: dict[int, int] = defaultdict(int)  # variant id -> tries used (pending ones included)
    for answer in answers:
        if mastery.counts_for_mastery(answer):
            latest[answer.question_id] = answer
        if answer.try_number is not None:
            used[answer.variant_id] += 1
    items = []
    quiz_urls: dict[int, str] = {}
    for question in questions:
        quiz, lecture = question.quiz, question.quiz.lecture
        if not (lecture.is_released(now) and quiz.is_open(now)):
            continue
        answer = latest.get(question.id)
        if answer is not None and answer.is_correct:
            continue
        variant_id = current.get(question.id, (0, 0))[1]
        if quiz.max_tries is not None and used[variant_id] >= quiz.max_tries:
            continue  # graded quiz without tries left: nothing to redo
        args = [course.slug, quiz.id, question.id]
        if quiz.id not in quiz_urls:
            quiz_urls[quiz.id] = reverse("quizzes:quiz", args=args[:2])
        status = "not_tried" if answer is None else ("partial" if (answer.score or 0) > 0 else "wrong")
        items.append(ReviewItem(
            question_id=question.id,
            title=question.title or f"Question {question.position}",
            lecture_number=lecture.number,
            lecture_title=lecture.title,
            quiz_title=quiz.title,
            status=status,
            url=quiz_urls[quiz.id] + f"#q{question.id}",
            new_variant_url=(reverse("quizzes:new_variant", args=args)
                             if answer is not None and quiz.is_practice and question.is_computed else ""),
        ))
    return items
