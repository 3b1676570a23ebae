"""Progress and statistics pages.

Students: a course's page (its lectures with their quizzes and the student's progress bars),
their own progress in a course (``progress_page``), with streak, review list and the opt-in
leaderboard. Staff of the course (TAs, instructors, superusers): statistics per quiz, the
class overview and one student's submissions; anyone else gets 403 (404 for unknown objects).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from courses.models import Course, Enrolment
from progress import charts
from progress.answer_labels import mistake_rows, question_labels, step_rows, submission_answer, wrong_answer_rows
from progress.fragments import report_fragment
from progress.leaderboard import LeaderboardForm, leaderboard_entry, leaderboard_entry_update, lecture_leaderboards
from progress.models import Leaderboard
from progress.reports import class_progress, course_progress
from progress.statistics import BINS, QuestionStatistics, question_statistics, student_overview
from quizzes.access import CourseAccess, Unavailable, course_access, unavailable_response
from quizzes.images import images_resolved
from quizzes.models import Quiz, Submission
from quizzes.rendering import render_many

SUBMISSIONS_PER_PAGE = 100
WITH_LEADERBOARD = Course.objects.select_related("leaderboard")  # Leaderboard.is_enabled without a query
HISTOGRAM_LABELS = [f"{10 * i}–{10 * (i + 1)}%" for i in range(BINS)]
HISTOGRAM_EDGES = [f"{10 * i}%" for i in range(BINS + 1)]




def _staff_access(user, course_slug: str) -> CourseAccess:
    access = course_access(user=user, course_slug=course_slug)
    if not access.is_staff:
        raise Unavailable(
            "For course staff only",
            f"Class statistics of “{access.course.title}” are for its instructors and teaching "
            "assistants. Your own progress is on your progress page.",
            403,
            access.course,
        )
    return access


def _found(queryset, title: str, access: CourseAccess):
    """The one object of ``queryset`` (already limited to the course), or a 404 ``Unavailable``."""
    found = queryset.first()
    if found is None:
        raise Unavailable(title, f"“{access.course.title}” has nothing at this address.", 404, access.course)
    return found


def _leaderboard_form(request, access: CourseAccess) -> LeaderboardForm | None:
    """The pseudonym form, for students of a course with a leaderboard; None otherwise."""
    if not (Leaderboard.is_enabled(access.course) and access.role == Enrolment.Role.STUDENT):
        if request.method == "POST":
            raise Unavailable("Leaderboard not available", "There is no leaderboard to join here.", 403,
                              access.course)
        return None
    enrolment = Enrolment.objects.get(user=request.user, course=access.course)
    entry = leaderboard_entry(enrolment)
    initial = {"pseudonym": entry.pseudonym, "opt_in": entry.opt_in}
    return LeaderboardForm(request.POST or None, enrolment=enrolment, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def progress_page(request, course_slug):
    try:
        access = course_access(user=request.user, course_slug=course_slug, courses=WITH_LEADERBOARD)
        form = _leaderboard_form(request, access)
    except Unavailable as error:
        return unavailable_response(request, error)
    course = access.course
    if request.method == "POST" and form.is_valid():
        try:
            leaderboard_entry_update(enrolment=form.enrolment, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("pseudonym", error)
        else:
            messages.success(request, "Your leaderboard settings are saved.")
            return redirect("progress:progress", course.slug)
    report_html, _ = report_fragment(request=request, student=request.user, course=course)
    enabled = Leaderboard.is_enabled(course)
    boards = lecture_leaderboards(course=course, viewer=request.user) if enabled else []
    context = {"course": course, "access": access, "report_html": report_html,
               "form": form, "leaderboard": enabled, "leaderboards": boards}
    status = 400 if form is not None and form.errors else 200
    return TemplateResponse(request, "progress/progress.html", context, status=status)


@login_required
def course_page(request, course_slug):
    try:
        access = course_access(user=request.user, course_slug=course_slug, courses=WITH_LEADERBOARD)
    except Unavailable as error:
        return unavailable_response(request, error)
    # In course order; the models' default orderings would join up to the course to sort.
    quizzes = (Quiz.objects.filter(lecture__course=access.course).select_related("lecture")
               .order_by("lecture__number", "position", "id"))
    if not access.is_staff:
        quizzes = quizzes.published()
    lectures = list(access.course.lectures.order_by("number"))
    by_lecture = {}
    for quiz in quizzes:
        by_lecture.setdefault(quiz.lecture_id, []).append(quiz)
    progress = course_progress(student=request.user, course=access.course)
    rows = [
        {"lecture": lec, "quizzes": by_lecture.get(lec.id, []), "progress": progress.get(lec.id)}
        for lec in lectures
    ]
    context = {"course": access.course, "access": access, "rows": rows, "now": timezone.now(),
               "description": images_resolved(render_many([access.course.description]), access.course.id)[0],
               "leaderboard": Leaderboard.is_enabled(access.course)}
    return TemplateResponse(request, "progress/course.html", context)


def _histogram(stats: QuestionStatistics):
    counts = ", ".join(f"{label}: {n}" for label, n in zip(HISTOGRAM_LABELS, stats.histogram, strict=True))
    return charts.bar_chart(
        chart_id=f"histogram-{stats.question_id}", title=f"Last-try scores: {stats.title}",
        labels=HISTOGRAM_LABELS, values=stats.histogram, edges=HISTOGRAM_EDGES, show_values=True,
        desc=f"Students by last-try score, of {stats.students} who tried: {counts}.",
    )


def _first_wrong_chart(stats: QuestionStatistics):
    """Students by the first wrong step of their last try ("none": no wrong step), one bar per step."""
    figures = stats.steps.steps
    labels = [str(f.number) for f in figures] + ["none"]
    values = [f.first_wrong for f in figures] + [stats.steps.none_wrong]
    names = [f"step {f.number} ({f.step})" for f in figures] + ["no wrong step"]
    titles = [f"{name}: {n} student{'s' if n != 1 else ''}" for name, n in zip(names, values, strict=True)]
    return charts.bar_chart(
        chart_id=f"first-wrong-{stats.question_id}", title=f"First wrong step: {stats.title}",
        labels=labels, values=values, show_values=True, bar_titles=titles, every_label=True,
        desc=f"Students by the first wrong step of their last try, of {stats.steps.students} who tried: "
             + "; ".join(f"{name}: {n}" for name, n in zip(names, values, strict=True)) + ".",
    )


@login_required
@require_GET
def statistics_page(request, course_slug, quiz_id):
    try:
        access = _staff_access(request.user, course_slug)
        quizzes = Quiz.objects.select_related("lecture").filter(lecture__course=access.course)
        quiz = _found(quizzes.filter(pk=quiz_id), "Quiz not found", access)
    except Unavailable as error:
        return unavailable_response(request, error)
    stats = question_statistics(quiz=quiz)
    labels = question_labels(quiz.questions.prefetch_related("choices"), course_id=access.course.id)
    steps = step_rows(stats, labels)
    rows = [
        {"stats": s, "histogram": _histogram(s), "bins": zip(HISTOGRAM_LABELS, s.histogram, strict=True),
         "wrong": wrong_answer_rows(s, labels.get(s.question_id)),
         "mistakes": mistake_rows(s.mistakes, labels.get(s.question_id)), "steps": steps.get(s.question_id),
         "first_wrong": _first_wrong_chart(s) if s.steps and s.steps.students else None}
        for s in stats
    ]
    context = {"course": access.course, "access": access, "quiz": quiz, "rows": rows,
               "answered": any(s.students for s in stats)}
    return TemplateResponse(request, "progress/statistics.html", context)


@login_required
@require_GET
def students_page(request, course_slug):
    try:
        access = _staff_access(request.user, course_slug)
    except Unavailable as error:
        return unavailable_response(request, error)
    course = access.course
    context = {
        "course": course,
        "access": access,
        "lectures": list(course.lectures.all()),
        "quizzes": list(Quiz.objects.filter(lecture__course=course).select_related("lecture")),
        "rows": student_overview(course=course),
    }
    return TemplateResponse(request, "progress/students.html", context)


@login_required
@require_GET
def student_submissions_page(request, course_slug, user_id):
    try:
        access = _staff_access(request.user, course_slug)
        enrolments = Enrolment.objects.select_related("user").filter(course=access.course)
        enrolment = _found(enrolments.filter(user_id=user_id), "Student not found", access)
    except Unavailable as error:
        return unavailable_response(request, error)
    course = access.course
    submissions = (
        Submission.objects.for_user(enrolment.user)
        .filter(variant__question__quiz__lecture__course=course)
        .select_related("variant__question__quiz__lecture")
        .order_by("-created_at", "-id")
    )
    progress = class_progress(course=course, student_ids=[enrolment.user_id])[enrolment.user_id]
    page = Paginator(submissions, SUBMISSIONS_PER_PAGE).get_page(request.GET.get("page"))
    questions = {s.variant.question_id: s.variant.question for s in page.object_list}
    prefetch_related_objects(list(questions.values()), "choices")
    labels = question_labels(questions.values(), course_id=course.id)
    rows = []
    for s in page.object_list:
        own = labels.get(s.variant.question_id)
        rows.append({"submission": s, "choices": submission_answer(own, s.raw, s.value),
                     "mistake": mistake_rows({s.mistake: 0.0}, own)[0] if s.mistake else None})
    context = {
        "course": course,
        "access": access,
        "student": enrolment.user,
        "enrolment": enrolment,
        "lectures": [(lecture, progress.get(lecture.id)) for lecture in course.lectures.prefetch_related("quizzes")],
        "page": page,
        "rows": rows,
    }
    return TemplateResponse(request, "progress/student_submissions.html", context)
