"""Admin for authoring quizzes, questions and choices, with previews and validation."""

import math

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Max, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from courses.admin import StaffedCoursesMixin
from courses.models import Course, Lecture
from quizzes.images import CheckedImage, ImageRefused, image_checked, image_fill, images_resolved
from quizzes.kinds import REGISTRY
from quizzes.kinds.base import Kind
from quizzes.kinds.computed import generator_catalogue
from quizzes.models import Choice, Question, QuestionImage, Quiz, Regrade, Variant
from quizzes.question_validation import validate_choices
from quizzes.questions import question_duplicate, question_version_update
from quizzes.regrading import question_regrade
from quizzes.tasks import question_regrade as regrade_task
from quizzes.variants import variants_retry_errors


def add_question_links(quiz_id: int | None) -> str:
    """Links to the add page of each kind, for ``quiz_id`` when given (the quiz and the next position
    filled in)."""
    base = reverse("admin:quizzes_question_add")
    extra = f"&quiz={quiz_id}" if quiz_id else ""
    return format_html_join(" · ", '<a href="{}?kind={}{}">{}</a>',
                            ((base, slug, extra, kind.label) for slug, kind in REGISTRY.items()))


def student_view_link(quiz: Quiz, anchor: str = "") -> str:
    if not quiz.pk:
        return "—"
    url = reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.pk]) + anchor
    return format_html('<a href="{}" target="_blank" rel="noopener">View as student ↗</a>', url)


def posted_choices(data) -> tuple[list[Choice], list[str]]:
    """The choices of the admin's choice formset as posted (unsaved; deleted and empty rows left out),
    and a message for each fraction that is not a number (that choice's fraction is then None)."""
    choices, problems = [], []
    for index in range(min(int(data.get("choices-TOTAL_FORMS", 0) or 0), 1000)):
        text = data.get(f"choices-{index}-text", "").strip()
        if text and not data.get(f"choices-{index}-DELETE"):
            raw = data.get(f"choices-{index}-fraction", "").strip()
            fraction = None
            if raw:
                try:
                    fraction = float(raw)
                except ValueError:
                    fraction = math.nan
                if not math.isfinite(fraction):
                    problems.append(f"Choice {len(choices) + 1}: the fraction “{raw}” is not a number.")
                    fraction = None
            choices.append(Choice(text=text, is_correct=bool(data.get(f"choices-{index}-is_correct")),
                                  feedback=data.get(f"choices-{index}-feedback", ""), fraction=fraction))
    return choices, problems


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Checks the choices together with the question's kind and settings (e.g. exactly one correct,
    fractions that add up to 100 %)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            (form.cleaned_data.get("text", ""), bool(form.cleaned_data.get("is_correct")),
             form.cleaned_data.get("fraction"))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            validate_choices(self.instance.kind, rows, self.instance.settings)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0
    fields = ("position", "text", "is_correct", "fraction", "feedback")
    formfield_overrides = {
        Choice._meta.get_field("text").__class__: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
    }


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "kind", "title", "points", "edit_link")
    readonly_fields = ("kind", "title", "points", "edit_link")
    ordering = ("position", "id")
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False  # questions are added on their own page, where choices and previews are

    @admin.display(description="Edit")
    def edit_link(self, question):
        url = reverse("admin:quizzes_question_change", args=[question.pk])
        return format_html('<a href="{}">Edit question</a>', url)


@admin.register(Quiz)
class QuizAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    course_path = "lecture__course"
    list_display = (
        "title",
        "lecture",
        "mode",
        "is_published",
        "opens_at",
        "closes_at",
        "question_count",
        "view_link",
        "statistics_link",
    )
    list_filter = ("lecture__course", "mode", "is_published", "lecture")
    list_editable = ("is_published",)
    search_fields = ("title", "lecture__title", "description")
    readonly_fields = ("view_link", "add_question")
    fieldsets = (
        (None, {"fields": ("lecture", "title", "uid", "position", "description", "is_published", "view_link",
                           "add_question")}),
        (
            "Mode and timing",
            {"fields": ("mode", "opens_at", "closes_at", "hint_after", "try_credits", "feedback_policy")},
        ),
    )
    inlines = [QuestionInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lecture" and not request.user.is_superuser:
            kwargs["queryset"] = Lecture.objects.filter(course__in=Course.objects.staffed_by(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("lecture__course")
            .annotate(n_questions=Count("questions"))
        )

    @admin.display(description="Questions", ordering="n_questions")
    def question_count(self, quiz):
        return quiz.n_questions

    @admin.display(description="Student view")
    def view_link(self, quiz):
        return student_view_link(quiz)

    @admin.display(description="Add a question")
    def add_question(self, quiz):
        if not quiz.pk:
            return "Save the quiz first; then add its questions from here."
        return add_question_links(quiz.pk)

    @admin.display(description="Statistics")
    def statistics_link(self, quiz):
        url = reverse("progress:quiz_statistics", args=[quiz.lecture.course.slug, quiz.pk])
        return format_html('<a href="{}">Statistics</a>', url)


class QuestionForm(forms.ModelForm):
    """The question form: common fields, plus (added by ``QuestionAdmin.get_form``) one field per
    setting of the question's kind, edited in ``Question.settings`` and checked by the kind."""

    kind_settings: tuple = ()  # the kind's ``Setting`` schema, set by ``QuestionAdmin.get_form``

    class Meta:
        model = Question
        fields = ("quiz", "position", "kind", "uid", "title", "points", "prompt", "hint", "explanation", "is_archived")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quiz = str(self.initial.get("quiz", ""))
        if self.instance.pk is None and quiz.isdigit():  # the add page's ?quiz=: its kind links keep it
            self.instance.quiz_id = int(quiz)
        stored = self.instance.settings if isinstance(self.instance.settings, dict) else {}
        for spec in self.kind_settings:
            if spec.name in self.fields:
                self.initial.setdefault(spec.name, spec.initial(stored.get(spec.name, spec.default)))

    def _post_clean(self):
        # Every setting field of the kind goes into settings (emptied ones as None, so the kind says
        # whether empty is allowed); the model's clean() then checks them with the kind's rules.
        self.instance.settings = {
            spec.name: self.cleaned_data.get(spec.name) for spec in self.kind_settings if spec.name in self.fields
        }
        super()._post_clean()


@admin.register(Question)
class QuestionAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    form = QuestionForm
    course_path = "quiz__lecture__course"
    list_display = ("__str__", "quiz", "position", "kind", "points", "answer_count", "facility")
    list_filter = ("quiz__lecture__course", "kind", "is_archived", "quiz__lecture", "quiz")
    actions = ["duplicate", "regrade"]
    list_editable = ("position",)
    search_fields = ("title", "prompt", "quiz__title")
    ordering = ("quiz", "position", "id")
    list_select_related = ("quiz__lecture",)
    readonly_fields = ("preview", "view_link", "catalogue", "variant_errors", "kind_menu")
    save_on_top = True
    inlines = [ChoiceInline]

    class Media:
        css = {"all": ("css/admin.css",)}  # the preview's layout: no inline styles (Content-Security-Policy)
        js = ("js/admin_preview.js",)  # the preview updates while the author types

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.live_preview))
        return [path("preview/", preview, name="quizzes_question_preview"), *super().get_urls()]

    def live_preview(self, request):
        """The preview of the question as posted by its form, not saved: what students would see
        (computed questions: their first variants), and every message that would stop saving."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        form = self.get_form(request)(request.POST)
        form.is_valid()  # cleans the fields and the kind's settings into form.instance; saves nothing
        choices, fraction_problems = posted_choices(request.POST)
        messages = [f"{form.fields[name].label if name in form.fields else name}: {message}"
                    for name, errors in form.errors.items() for message in errors] + fraction_problems
        try:
            validate_choices(form.instance.kind, [(c.text, c.is_correct, c.fraction) for c in choices],
                             form.instance.settings)
        except ValidationError as error:
            messages += error.messages
        except Exception:  # an unknown kind: the form's own message says so
            pass
        problems = format_html_join("", "<li>{}</li>", ((m,) for m in messages))
        body = form.instance.kind_spec.preview(form.instance, choices) if "kind" not in form.errors else ""
        if form.instance.quiz_id:
            body = mark_safe(images_resolved([body], form.instance.quiz.lecture.course_id)[0])
        html = format_html(
            '{}<div class="live-preview-body">{}</div>',
            format_html('<ul class="errorlist">{}</ul>', problems) if messages else
            format_html('<p class="live-preview-ok">{}</p>', "No problems: this question can be saved."),
            body,
        )
        return HttpResponse(html)

    def kind_of(self, request, obj=None) -> Kind:
        """The kind whose settings the form edits: the one posted (a changed kind shows its own
        settings, with their errors), the ``?kind=`` of the add page, or the question's own."""
        for slug in (request.POST.get("kind"), request.GET.get("kind"), obj.kind if obj else None):
            if slug in REGISTRY:
                return REGISTRY[slug]
        return REGISTRY["single"]

    def get_queryset(self, request):
        tries = Q(variants__submissions__try_number__isnull=False)
        return super().get_queryset(request).annotate(
            n_answers=Count("variants__submissions", filter=tries),
            mean_score=Avg("variants__submissions__score", filter=tries & Q(variants__submissions__status="graded")),
        )

    @admin.display(description="Answers", ordering="n_answers")
    def answer_count(self, question):
        return question.n_answers

    @admin.display(description="Facility", ordering="mean_score")
    def facility(self, question):
        """Mean score of all graded tries (1.0: everyone right)."""
        return "—" if question.mean_score is None else f"{question.mean_score:.2f}"

    @admin.action(description="Duplicate the selected questions (at the end of their quiz)")
    def duplicate(self, request, queryset):
        copies = [question_duplicate(question=question) for question in queryset.order_by("quiz", "position", "id")]
        self.message_user(request, f"{len(copies)} question(s) duplicated: " + ", ".join(str(c) for c in copies))

    @admin.action(description="Regrade the selected questions (shows a dry run first)")
    def regrade(self, request, queryset):
        """First a dry run of each selected question (what would change, for whom); its page's
        confirm button posts again with ``apply``, which queues the regrades."""
        if request.POST.get("apply") == "yes":
            reason = request.POST.get("reason", "").strip()
            for question in queryset:
                regrade_task.delay(question.pk, request.user.pk, reason)
            self.message_user(request, f"Regrade of {queryset.count()} question(s) started; each changed answer "
                                       "is recorded and its student sees “regraded”.")
            return None
        reports = [question_regrade(question=question, dry_run=True) for question in queryset]
        context = {**self.admin_site.each_context(request), "title": "Regrade: what would change", "reports": reports,
                   "queryset": queryset, "opts": self.model._meta, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/quizzes/question/regrade.html", context)

    def get_changeform_initial_data(self, request):
        """The add page's ``?quiz=`` and ``?kind=`` filled in, and the position after the quiz's last."""
        initial = super().get_changeform_initial_data(request)
        quiz_id = request.GET.get("quiz", "")
        if quiz_id.isdigit():
            last = Question.objects.filter(quiz_id=int(quiz_id)).aggregate(last=Max("position"))["last"]
            initial["position"] = (last or 0) + 1
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        kind = self.kind_of(request, obj)
        form = type("QuestionForm", (QuestionForm,), {**kind.form_fields(), "kind_settings": kind.settings})
        return super().get_form(request, obj, change=change, form=form, **kwargs)

    def get_fieldsets(self, request, obj=None):
        kind = self.kind_of(request, obj)
        settings = [spec.name for spec in kind.settings]
        if kind.is_computed:
            settings[1:1] = ["catalogue"]
            settings.append("variant_errors")
        head = ["quiz", "position", "kind"] + ([] if obj else ["kind_menu"])
        return (
            (None, {"fields": (*head, "title", "points", "prompt", "hint", "explanation")}),
            ("Name in the course files, archive", {"fields": ("uid", "is_archived"), "classes": ("collapse",)}),
            (f"Settings of this kind: {kind.label}", {"fields": settings}),
            ("Preview (updates as you type)", {"fields": ("preview", "view_link")}),
        )

    def get_inlines(self, request, obj):
        kind = self.kind_of(request, obj)
        return [ChoiceInline] if kind.has_choices or (obj is not None and obj.choices.exists()) else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz" and not request.user.is_superuser:
            kwargs["queryset"] = Quiz.objects.filter(
                lecture__course__in=Course.objects.staffed_by(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Kinds")
    def kind_menu(self, question):
        quiz_id = question.quiz_id if question and question.quiz_id else None
        return format_html("Each kind has its own settings: pick one to show them. {}", add_question_links(quiz_id))

    @admin.display(description="Student view")
    def view_link(self, question):
        return student_view_link(question.quiz, f"#q{question.pk}") if question.pk else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if question_version_update(question=form.instance):
            self.message_user(request, f"Students have answered this question: it is now version "
                                       f"{form.instance.version}. To grade their answers against it, use the "
                                       "action “Regrade” in the question list.")
        retried = variants_retry_errors(question=form.instance)
        if retried:
            self.message_user(request, f"{retried} student variant(s) that had failed are being computed again.")

    @admin.display(description="Generators")
    def catalogue(self, question):
        return generator_catalogue()

    @admin.display(description="Variant errors")
    def variant_errors(self, question):
        if not question.pk:
            return "—"
        errors = list(
            question.variants.filter(status=Variant.Status.ERROR).values_list("error", flat=True)[:5]
        )
        if not errors:
            return "None: every student's variant was computed."
        return format_html_join("", '<p class="errornote">{}</p>', ((e,) for e in errors))

    @admin.display(description="Rendered")
    def preview(self, question):
        """The saved question's preview, in the box ``static/js/admin_preview.js`` refills as the
        author types (from ``live_preview``)."""
        saved = question.kind_spec.preview(question) if question.pk else "Start typing to see the preview."
        if question.pk:
            saved = mark_safe(images_resolved([saved], question.quiz.lecture.course_id)[0])
        return format_html('<div class="live-preview" data-url="{}" aria-live="polite">{}</div>',
                           reverse("admin:quizzes_question_preview"), saved)


@admin.register(Variant)
class VariantAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    """Read-only: each student's variants, their status and any generator error."""

    course_path = "question__quiz__lecture__course"
    list_display = ("question", "student", "number", "status", "device", "compute_ms", "created_at")
    list_filter = ("status", "device", "question__quiz__lecture__course", "question__quiz")
    search_fields = ("student__username", "question__title", "error")
    list_select_related = ("question", "student")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Regrade)
class RegradeAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    """Read-only: every answer a regrade changed (``quizzes.regrading``), with who, when and why."""

    course_path = "submission__variant__question__quiz__lecture__course"
    list_display = ("question", "student", "old_score", "new_score", "old_points", "new_points",
                    "question_version", "regraded_by", "regraded_at", "reason")
    list_filter = ("submission__variant__question__quiz__lecture__course", "regraded_at")
    search_fields = ("submission__variant__student__username", "submission__variant__question__title", "reason")
    list_select_related = ("submission__variant__question__quiz", "submission__variant__student", "regraded_by")

    @admin.display(description="Question")
    def question(self, regrade):
        return regrade.submission.variant.question

    @admin.display(description="Student")
    def student(self, regrade):
        return regrade.submission.variant.student

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QuestionImageForm(forms.ModelForm):
    """An image's course and name, and the file: checked from its bytes (``quizzes.images``) when given."""

    upload = forms.FileField(label="Image file", required=False,
                             help_text="PNG, JPEG, GIF, WebP or SVG (SVG is cleaned of scripts and links).")

    class Meta:
        model = QuestionImage
        fields = ("course", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text += " Empty: the file's name."
        self.checked: CheckedImage | None = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is None:
            if self.instance.pk is None:
                self.add_error("upload", "Choose the image file.")
            return cleaned
        name = cleaned.get("name") or upload.name
        cleaned["name"] = self.instance.name = name
        if upload.size > 2 * settings.QUIZSERVER_IMAGE_MAX_BYTES:  # do not read a huge file to refuse it
            self.add_error("upload", f"“{name}” is larger than {settings.QUIZSERVER_IMAGE_MAX_BYTES} bytes.")
            return cleaned
        try:
            self.checked = image_checked(upload.read(), name)
        except ImageRefused as error:
            self.add_error("upload", str(error))
        return cleaned


@admin.register(QuestionImage)
class QuestionImageAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    """The images a course's questions show: upload, replace (same name, new file), copy the Markdown."""

    form = QuestionImageForm
    list_display = ("name", "course", "thumbnail", "snippet", "content_type", "size", "uploaded_by", "created_at")
    list_filter = ("course",)
    search_fields = ("name",)
    list_select_related = ("course", "uploaded_by")
    readonly_fields = ("thumbnail", "snippet", "content_type", "size", "uploaded_by", "created_at")

    def get_fields(self, request, obj=None):
        fields = ["course", "name", "upload"]
        return fields + (["thumbnail", "snippet", "content_type", "size", "uploaded_by", "created_at"] if obj else [])

    @admin.display(description="Markdown (copy into a question)")
    def snippet(self, image):
        return format_html("<code>{}</code>", image.markdown) if image.pk else "—"

    @admin.display(description="Image")
    def thumbnail(self, image):
        if not image.pk:
            return "—"
        return format_html('<img src="{}" alt="{}" height="48">', image.get_absolute_url(), image.name)

    def save_model(self, request, obj, form, change):
        if form.checked is not None:
            obj.uploaded_by = request.user
            with transaction.atomic():
                image_fill(obj, form.checked)
                super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)
