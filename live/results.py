"""What staff read of a course's live sessions afterwards: the list, a session's results per question and
the CSV of its answers.

The figures are ``live.distribution``'s, as after the reveal. The CSV names students (usernames): it is
for the course's staff, never the projector; its cells are made safe for spreadsheets
(``api.renderers.spreadsheet_safe``: an answer typed as ``=HYPERLINK(…)`` stays text).
"""

import csv

from django.db.models import Count, F, Q
from django.http import HttpResponse

from api.renderers import spreadsheet_safe
from live.distribution import session_results, students_of
from live.distribution_charts import distribution_display
from live.models import LiveAnswer, LiveSession
from progress.answer_labels import question_labels

CSV_COLUMNS = ("session", "number", "question", "question_title", "student_username", "answer", "status", "score",
               "mistake", "created_at")


def session_list(course):
    """The course's sessions, running ones first, then the latest; with ``question_count`` and ``joined``
    (students who joined)."""
    joined = Count("joins", distinct=True, filter=Q(joins__student__in=students_of(course)))
    return (LiveSession.objects.filter(course=course).select_related("quiz")
            .annotate(question_count=Count("items", distinct=True), joined=joined)
            .order_by(F("ended_at").desc(nulls_first=True), "-created_at", "-id"))


def results_page_rows(session: LiveSession) -> list[dict]:
    """Per question of ``session``, in order: ``item``, ``question``, ``title`` and its ``results``
    (``DistributionDisplay``, as after the reveal). Five queries whatever the number of questions."""
    found = session_results(session)
    labels = question_labels([r.item.question for r in found], course_id=session.course_id)
    rows = []
    for r in found:
        item, number = r.item, r.item.position + 1
        display = distribution_display(r.distribution, labels[item.question_id], chart_id=f"live-chart-{item.id}",
                                       title=f"Answers to question {number}")
        rows.append({"item": item, "question": item.question, "title": item.question.title or f"Question {number}",
                     "results": display})
    return rows


def _cell(value):
    return spreadsheet_safe(value) if isinstance(value, str) else ("" if value is None else value)


def answer_rows(session: LiveSession):
    """One row per answer given in ``session`` (``CSV_COLUMNS``), oldest first; staff's tries included."""
    answers = (LiveAnswer.objects.filter(item__session=session)
               .select_related("item__question", "submission__variant__student")
               .prefetch_related("item__question__choices")
               .order_by("submission__created_at", "submission_id"))
    for answer in answers:
        question, submission = answer.item.question, answer.submission
        texts = {choice.id: " ".join(choice.text.split()) for choice in question.choices.all()}
        text = question.kind_spec.answer_text(submission.raw, submission.value, choice_texts=texts)
        yield [_cell(value) for value in (
            session.code, answer.item.position + 1, question.id, question.title or str(question),
            submission.variant.student.username, text, submission.status, submission.score, submission.mistake,
            submission.created_at.isoformat())]


def answers_csv_response(session: LiveSession) -> HttpResponse:
    """The CSV download of ``answer_rows`` (a session holds thousands of answers at most: built whole)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{session.course.slug}-live-{session.code}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(answer_rows(session))
    return response
