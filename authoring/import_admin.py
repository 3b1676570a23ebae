"""The admin's "Import questions" page: upload a Moodle XML or GIFT file, pick the lecture (and a quiz, or
let categories become quizzes), see the dry run row by row, confirm. The quiz admin serves it
(``authoring.admin``); the workflow is ``questions_import`` on a file kept by ``authoring.pending_imports``.

Who may: staff (the admin's login) with the permissions to add and change questions, into the lectures
and quizzes the quiz and lecture admins show them (their courses; superusers: all); letting categories
become quizzes, which may create quizzes, also needs the permission to add quizzes.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from authoring.interchange.services import FORMATS, ImportReport
from authoring.pending_imports import (
    KEEP,
    PER_SESSION,
    PendingImport,
    pending_import_discard,
    pending_import_get,
    pending_import_keep,
    pending_import_run,
)
from courses.models import Course, Lecture
from quizzes.kinds import REGISTRY
from quizzes.models import Quiz

IMPORT_PERMISSIONS = ("quizzes.add_question", "quizzes.change_question")
ADD_QUIZ_PERMISSION = "quizzes.add_quiz"
TEMPLATE = "admin/authoring/question_import.html"
PREVIEW_TEMPLATE = "admin/authoring/question_import_preview.html"
STATUSES = ("created", "updated", "unchanged", "skipped", "error")  # as ImportReport's entries have them


class LectureField(forms.ModelChoiceField):
    def label_from_instance(self, lecture):
        return f"{lecture.course.title} › {lecture}"


class QuizField(forms.ModelChoiceField):
    def label_from_instance(self, quiz):
        return f"{quiz.lecture.course.title} › {quiz.lecture} › {quiz.title}"


class QuestionImportForm(forms.Form):
    """The file (extension and size checked, not its content: the dry run does that), the lecture and
    the optional quiz, from the given querysets only."""

    file = forms.FileField(label="File", widget=forms.ClearableFileInput(attrs={"accept": ",".join(FORMATS)}))
    lecture = LectureField(queryset=Lecture.objects.none(), label="Lecture",
                           help_text="New quizzes are added to this lecture, unpublished.")
    quiz = QuizField(queryset=Quiz.objects.none(), required=False, label="Quiz",
                     empty_label="None: each Moodle category becomes a quiz (its last part names it)",
                     help_text="Every question goes into this quiz of the lecture; or, with none, into the quiz "
                               "its category names (questions without one: the quiz named after the file).")

    def __init__(self, *args, lectures, quizzes, may_add_quizzes: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecture"].queryset = lectures.select_related("course").order_by("course__title", "number")
        self.fields["quiz"].queryset = quizzes.select_related("lecture__course").order_by(
            "lecture__course__title", "lecture__number", "position", "id")
        self.may_add_quizzes = may_add_quizzes
        self.fields["file"].help_text = (f"Moodle XML (.xml) or GIFT (.gift, .txt; UTF-8), "
                                         f"at most {max_bytes():,} bytes.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in FORMATS:
            raise forms.ValidationError(f"“{upload.name}”: the extension names the format: .xml (Moodle XML), "
                                        ".gift or .txt (GIFT).")
        if upload.size > max_bytes():
            raise forms.ValidationError(f"“{upload.name}” has {upload.size:,} bytes; a file may have at most "
                                        f"{max_bytes():,} bytes. Split it, e.g. one category per file.")
        return upload

    def clean(self):
        cleaned = super().clean()
        lecture, quiz = cleaned.get("lecture"), cleaned.get("quiz")
        if quiz is None and lecture is not None and not self.may_add_quizzes:
            self.add_error("quiz", "You may not add quizzes: pick one of the lecture's quizzes.")
        if quiz is not None and lecture is not None:
            if quiz.lecture_id != lecture.pk:
                self.add_error("quiz", f"“{quiz.title}” is a quiz of {quiz.lecture}, not of {lecture}: pick "
                                       "its lecture, or another quiz.")
            elif lecture.quizzes.filter(title=quiz.title).exclude(pk=quiz.pk).exists():
                self.add_error("quiz", f"{lecture} has more than one quiz titled “{quiz.title}”, and the import "
                                       "finds its quiz by title: rename one of them first.")
        return cleaned


def max_bytes() -> int:
    """The largest file the page takes (``QUIZSERVER_IMPORT_MAX_BYTES``); a request larger than
    ``QUIZSERVER_MAX_REQUEST_BYTES`` is refused (413) before it reaches the page."""
    return settings.QUIZSERVER_IMPORT_MAX_BYTES


def import_scope(request, model_admin) -> tuple:
    """The lectures and quizzes ``request.user`` may import into, as the lecture and quiz admins scope
    them; PermissionDenied without the permissions to add and change questions."""
    if not request.user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    lectures = model_admin.admin_site.get_model_admin(Lecture).get_queryset(request)
    return lectures, model_admin.get_queryset(request)


def question_import(request, model_admin):
    """GET: the upload form, ``?course=`` narrowing it to one course and ``?quiz=`` picking a quiz (404
    for one the user may not import into). POST: the file kept, and its dry run shown."""
    lectures, quizzes = import_scope(request, model_admin)
    course_id = request.GET.get("course")
    if course_id is not None:
        if not course_id.isdigit():
            raise Http404("No such course.")
        course = get_object_or_404(model_admin.admin_site.get_model_admin(Course).get_queryset(request), pk=course_id)
        lectures, quizzes = lectures.filter(course=course), quizzes.filter(lecture__course=course)
    scope = {"lectures": lectures, "quizzes": quizzes,
             "may_add_quizzes": request.user.has_perm(ADD_QUIZ_PERMISSION)}
    if request.method == "POST":
        form = QuestionImportForm(request.POST, request.FILES, **scope)
        if form.is_valid():
            upload, lecture, quiz = (form.cleaned_data[name] for name in ("file", "lecture", "quiz"))
            pending = pending_import_keep(session=request.session, name=upload.name, data=upload.read(),
                                          lecture=lecture, quiz=quiz)
            report = pending_import_run(pending=pending, lecture=lecture, quiz=quiz, dry_run=True)
            return preview_response(request, model_admin, report, pending, lecture, quiz)
    else:
        form = QuestionImportForm(initial=initial_picks(request.GET.get("quiz"), quizzes), **scope)
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": "Import questions", "form": form}
    return TemplateResponse(request, TEMPLATE, context)


def initial_picks(quiz_id: str | None, quizzes) -> dict:
    """The form's initial lecture and quiz for ``?quiz=``; 404 for a quiz not in ``quizzes``."""
    if quiz_id is None:
        return {}
    if not quiz_id.isdigit():
        raise Http404("No such quiz.")
    quiz = get_object_or_404(quizzes, pk=quiz_id)
    return {"lecture": quiz.lecture_id, "quiz": quiz.pk}


def question_import_confirm(request, model_admin):
    """POST ``token``: import the file this session previewed under it, into the lecture and quiz it was
    previewed for (still within the user's scope, else 404); then the quizzes' page with the counts, or,
    when the import now finds errors, the report (nothing imported)."""
    lectures, quizzes = import_scope(request, model_admin)
    pending = pending_import_get(session=request.session, token=request.POST.get("token", ""))
    if pending is None:
        messages.error(request, f"That file is no longer kept (a preview's file is kept for {KEEP.days} day, the "
                                f"last {PER_SESSION} of a session): upload it again.")
        return redirect("admin:quizzes_quiz_import")
    lecture = get_object_or_404(lectures, pk=pending.lecture_id)
    quiz = get_object_or_404(quizzes, pk=pending.quiz_id, lecture=lecture) if pending.quiz_id else None
    if quiz is None and not request.user.has_perm(ADD_QUIZ_PERMISSION):
        raise PermissionDenied
    report = pending_import_run(pending=pending, lecture=lecture, quiz=quiz, dry_run=False)
    pending_import_discard(session=request.session, pending=pending)
    if not report.written:
        return preview_response(request, model_admin, report, None, lecture, quiz)
    quizzes_touched = imported_quizzes(report, lecture)
    messages.success(request, success_message(report, lecture, quizzes_touched))
    if len(quizzes_touched) == 1:
        return redirect("admin:quizzes_quiz_change", quizzes_touched[0].pk)
    return redirect(reverse("admin:quizzes_quiz_changelist") + "?" + urlencode({"lecture__id__exact": lecture.pk}))


def preview_response(request, model_admin, report: ImportReport, pending: PendingImport | None,
                     lecture: Lecture, quiz: Quiz | None) -> TemplateResponse:
    """The report as a table, one row per question, with the confirm button for ``pending`` unless
    something blocks it (then the reasons instead)."""
    rows = [{"where": entry.where, "title": entry.title or "—", "quiz": entry.quiz or "—",
             "kind": REGISTRY[entry.kind].label if entry.kind in REGISTRY else entry.kind or "—",
             "status": entry.status, "messages": entry.messages} for entry in report.entries]
    counts = {status: len(report.of(status)) for status in STATUSES}
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": "Import questions: preview" if report.dry_run else "Import questions: nothing imported",
               "report": report, "rows": rows, "counts": counts, "blockers": blockers(report, counts),
               "pending": pending, "lecture": lecture, "quiz": quiz,
               "again": reverse("admin:quizzes_quiz_import") + "?" + urlencode(
                   {"quiz": quiz.pk} if quiz else {"course": lecture.course_id})}
    return TemplateResponse(request, PREVIEW_TEMPLATE, context)


def blockers(report: ImportReport, counts: dict[str, int]) -> list[str]:
    """Why the file cannot be imported as it is; [] when it can."""
    if counts["error"]:
        noun = "The file has an error" if counts["error"] == 1 else f"{counts['error']} questions have errors"
        if report.entries and report.entries[0].where == "file":
            noun = "The file cannot be read"
        return [f"{noun} (below): nothing can be imported. Fix the file and upload it again."]
    if not counts["created"] and not counts["updated"]:
        return ["Nothing to import: every question of the file is skipped or unchanged."]
    return []


def imported_quizzes(report: ImportReport, lecture: Lecture) -> list[Quiz]:
    """The quizzes of ``lecture`` the import put questions in, in the report's order."""
    titles = list(dict.fromkeys(e.quiz for e in report.entries if e.status in ("created", "updated", "unchanged")))
    found = {}
    for quiz in lecture.quizzes.filter(title__in=titles).order_by("-position", "-id"):
        found[quiz.title] = quiz  # the first by position wins, as in questions_import
    return [found[title] for title in titles if title in found]


def success_message(report: ImportReport, lecture: Lecture, quizzes: list[Quiz]) -> str:
    counts = ", ".join(f"{len(report.of(status))} {status}" for status in STATUSES[:-1])
    links = format_html_join(", ", '<a href="{}">{}</a>{}', (
        (reverse("admin:quizzes_quiz_change", args=[quiz.pk]), quiz.title,
         " (new, not published)" if quiz.title in report.new_quizzes else "") for quiz in quizzes))
    return format_html("Imported “{}” into {}: {}. Quiz{}: {}.", report.file, lecture, counts,
                       "zes" if len(quizzes) > 1 else "", links)
