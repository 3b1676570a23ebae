"""A student's progress, derived from their submissions (nothing is stored)."""

from dataclasses import dataclass

from quizzes.models import Question, Submission


@dataclass(frozen=True)
class LectureProgress:
    total: int  # questions in the lecture's published quizzes
    tried: int  # questions with at least one graded try
    mastered: int  # questions whose latest graded try was correct

    @property
    def percent(self) -> int:
        return round(100 * self.mastered / self.total) if self.total else 0


def course_progress(*, student, course) -> dict[int, LectureProgress]:
    """Lecture id -> progress of ``student`` over the published quizzes of ``course``.

    Mastered means the latest graded try on the question (any variant) was correct.
    Two queries whatever the size of the course.
    """
    questions = dict(
        Question.objects.filter(quiz__lecture__course=course, quiz__is_published=True).values_list(
            "id", "quiz__lecture_id"
        )
    )
    latest: dict[int, float] = {}
    rows = (
        Submission.objects.for_user(student)
        .graded()
        .filter(variant__question_id__in=list(questions))
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
            counts[2] += latest[question_id] >= 1.0
    return {lecture_id: LectureProgress(*counts) for lecture_id, counts in totals.items()}
