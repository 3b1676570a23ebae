"""The report part of a student's progress page as HTML, rendered once per state of its inputs and
then cached.

The part (``templates/progress/_report.html``: summary, lectures, weekly charts, review list) is a
pure function of what ``report_key`` hashes:

- the course's content as the report reads it (``progress.reports.course_content``: every lecture's
  number, title and release date; every published quiz's settings and times; every active
  question's id, quiz, title, position and kind) and the course's slug (the links);
- the student's variants and answers in the course's published quizzes, by a fingerprint that any
  change to the rows the report reads changes: the count and the highest id of the variants (whose
  read fields never change) and of the answers, the answers per status, the tries (``try_number``
  set), the sum of the scores and the latest grading and regrading times (grading, regrading and
  ``variants_retry_errors`` closing a pending answer change these);
- the time: today's local date (weeks, streak) and, per quiz, whether its lecture is released, it is
  open and its feedback is visible (the review list, the answers that count).

The same key therefore always means the same HTML, and any change to one of those gives a new key:
nothing needs invalidating. A hit costs the three content queries and one aggregate query instead
of five queries, the report's Python and the template. As for the quiz page's fragments
(``quizzes.fragments``), the CSRF token is cached as a placeholder, replaced on the way out, and
``FRAGMENT_VERSION`` plus a hash of the template's source are part of the key: bump the version
when the code that computes the report or its charts changes.
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

from progress import charts
from progress.reports import CourseContent, CourseProgressReport, course_content, student_progress
from quizzes import visibility
from quizzes.models import Submission, Variant

FRAGMENT_VERSION = 1
CACHE_SECONDS = 60 * 60 * 24
CSRF_PLACEHOLDER = "csrf0placeholder0progress"  # what the cached HTML holds instead of the token
TEMPLATE = "progress/_report.html"
TEMPLATE_HASH = hashlib.sha256(
    (Path(settings.BASE_DIR) / "templates" / TEMPLATE).read_bytes()
).hexdigest()[:12]


def progress_charts(report: CourseProgressReport) -> dict:
    """The two weekly charts of ``report`` (none before the first try)."""
    if not report.weeks:
        return {}
    weeks, total = report.weeks, report.total
    labels = [date_format(w.week, "j M") for w in weeks]
    first, last = date_format(weeks[0].week, "j F Y"), date_format(weeks[-1].week, "j F Y")
    busiest = max(weeks, key=lambda w: w.tries)
    activity = (
        f"{total.tries} tries in the {len(weeks)} weeks from the week of {first} to the week of {last}; "
        f"the most, {busiest.tries}, in the week of {date_format(busiest.week, 'j F')}."
    )
    mastery = f"Questions mastered at the end of each week from {first} to {last}: {weeks[-1].mastered} " \
              f"of {total.total} now."
    return {
        "activity": charts.bar_chart(chart_id="activity", title="Tries per week", labels=labels,
                                     values=[w.tries for w in weeks], desc=activity),
        "mastery": charts.bar_chart(chart_id="mastery", title="Questions mastered", labels=labels,
                                    values=[w.mastered for w in weeks], top=total.total, desc=mastery),
    }


def answers_fingerprint(*, student, course) -> dict:
    """The fingerprint of ``student``'s variants and answers in ``course`` (see the module
    docstring); one query."""
    variants = Variant.objects.filter(
        student=student, question__quiz__lecture__course=course, question__quiz__is_published=True
    ).order_by()
    per_status = {
        f"answers_{status}": Count("submissions", filter=Q(submissions__status=status))
        for status in Submission.Status.values
    }
    return variants.aggregate(
        variants=Count("id", distinct=True), last_variant=Max("id"), answers=Count("submissions"),
        last_answer=Max("submissions__id"), tries=Count("submissions__try_number"),
        scores=Sum("submissions__score"), last_graded=Max("submissions__graded_at"),
        last_regraded=Max("submissions__regraded_at"), **per_status,
    )


def report_key(*, student, course, content: CourseContent, now) -> str:
    """The cache key of ``student``'s report part: a hash of every input it depends on."""
    quizzes = {q.quiz_id: q.quiz for q in content.questions}
    inputs = [
        FRAGMENT_VERSION, TEMPLATE_HASH, student.id, course.id, course.slug,
        [[lec.id, lec.number, lec.title, lec.release_date] for lec in content.lectures],
        [[quiz.id, quiz.lecture_id, quiz.lecture.number, quiz.lecture.title, quiz.title, quiz.position, quiz.mode,
          quiz.feedback_policy, quiz.try_credits, quiz.opens_at, quiz.closes_at,
          quiz.lecture.is_released(now), quiz.is_open(now), visibility.feedback_visible(quiz, now)]
         for quiz in quizzes.values()],
        [[q.id, q.quiz_id, q.title, q.position, q.kind] for q in content.questions],
        answers_fingerprint(student=student, course=course),
        timezone.localdate(now),
    ]
    digest = hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()[:40]
    return f"progress.report:{digest}"


def report_fragment(*, request, student, course, now=None) -> tuple[SafeString, CourseProgressReport | None]:
    """The HTML of ``student``'s report part, from the cache or rendered and cached, with the CSRF
    token of ``request`` in it; and the report when it had to be computed (None on a hit)."""
    now = now or timezone.now()
    content = course_content(course)
    key = report_key(student=student, course=course, content=content, now=now)
    html = cache.get(key)
    report = None
    if html is None:
        report = student_progress(student=student, course=course, now=now, content=content)
        html = render_to_string(TEMPLATE, {"report": report, "charts": progress_charts(report), "course": course,
                                           "csrf_token": CSRF_PLACEHOLDER})
        cache.set(key, html, timeout=CACHE_SECONDS)
    # The placeholder sits only where {% csrf_token %} put it; the token is letters and digits.
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request))), report
