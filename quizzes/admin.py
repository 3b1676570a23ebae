"""Admin for authoring quizzes, questions and choices, with previews and validation."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from courses.admin import StaffedCoursesMixin
from courses.models import Course, Lecture
from quizzes import computed
from quizzes.models import Choice, Question, Quiz, Variant
from quizzes.previews import PREVIEW_SEEDS, computed_preview, generator_catalogue, generator_choices
from quizzes.question_validation import validate_choices
from quizzes.rendering import render_many
from quizzes.variants import variants_retry_errors


def student_view_link(quiz: Quiz, anchor: str = "") -> str:
    if not quiz.pk:
        return "—"
    url = reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.pk]) + anchor
    return format_html('<a href="{}" target="_blank" rel="noopener">View as student ↗</a>', url)


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Checks the choices together with the question's kind (e.g. exactly one correct)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            (form.cleaned_data.get("text", ""), bool(form.cleaned_data.get("is_correct")))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            validate_choices(self.instance.kind, rows)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0
    fields = ("position", "text", "is_correct", "feedback")
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
    readonly_fields = ("view_link",)
    fieldsets = (
        (None, {"fields": ("lecture", "title", "position", "description", "is_published", "view_link")}),
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

    @admin.display(description="Statistics")
    def statistics_link(self, quiz):
        url = reverse("quizzes:quiz_statistics", args=[quiz.lecture.course.slug, quiz.pk])
        return format_html('<a href="{}">Statistics</a>', url)


class QuestionForm(forms.ModelForm):
    """The question form: a generator picked from the registry, and a trial solve of its config."""

    generator = forms.ChoiceField(
        choices=generator_choices,
        required=False,
        help_text="Computed kinds: the generator that makes each student's variant.",
    )

    class Meta:
        model = Question
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose what is shown)
        widgets = {"generator_config": forms.Textarea(attrs={"rows": 4, "cols": 60, "spellcheck": "false"})}

    def clean_generator_config(self):
        config = self.cleaned_data.get("generator_config")
        if config is None:  # an emptied box means "the defaults"
            return {}
        if not isinstance(config, dict):
            raise forms.ValidationError('The config must be a JSON object, e.g. {"activation": "tanh"}, or {}.')
        return config

    def _post_clean(self):
        super()._post_clean()
        if not self.instance.is_computed or self.has_error("generator") or self.has_error("generator_config"):
            return
        try:
            generator, config = computed.generator_for(self.instance), computed.config_for(self.instance)
            for seed in PREVIEW_SEEDS:
                generator.generate(seed, config)
        except Exception as error:  # any failure of the instructor's config is a form error
            self.add_error(
                "generator_config", f"Solving a variant failed (seed {seed}): {type(error).__name__}: {error}"
            )


@admin.register(Question)
class QuestionAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    form = QuestionForm
    course_path = "quiz__lecture__course"
    list_display = ("__str__", "quiz", "position", "kind", "points")
    list_filter = ("quiz__lecture__course", "kind", "quiz__lecture", "quiz")
    list_editable = ("position",)
    search_fields = ("title", "prompt", "quiz__title")
    ordering = ("quiz", "position", "id")
    list_select_related = ("quiz__lecture",)
    readonly_fields = ("preview", "view_link", "catalogue", "variant_errors")
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("quiz", "position", "kind", "title", "points", "prompt", "hint", "explanation")}),
        ("Preview (of the saved question)", {"fields": ("preview", "view_link")}),
        ("Multiple choice", {"fields": ("multiple_mode",), "classes": ("collapse",)}),
        ("True / false", {"fields": ("true_false_answer",), "classes": ("collapse",)}),
        (
            "Numeric",
            {
                "fields": ("numeric_answer", "numeric_mode", "rtol", "atol", "digits"),
                "classes": ("collapse",),
            },
        ),
        ("Short text", {"fields": ("text_answers", "text_mode"), "classes": ("collapse",)}),
        (
            "Computed",
            {
                "fields": (
                    "generator",
                    "catalogue",
                    "generator_config",
                    "own_tolerance",
                    "per_cell_credit",
                    "variant_errors",
                ),
                "classes": ("collapse",),
            },
        ),
    )
    inlines = [ChoiceInline]
    kind_sections = {
        "Multiple choice": Question.Kind.MULTIPLE,
        "True / false": Question.Kind.TRUE_FALSE,
        "Numeric": Question.Kind.NUMERIC,
        "Short text": Question.Kind.TEXT,
        "Computed": Question.Kind.COMPUTED,
    }

    def get_fieldsets(self, request, obj=None):
        """Open the settings section of the question's own kind; collapse the others."""
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            if name in self.kind_sections:
                kind = self.kind_sections[name]
                is_own = obj is not None and (obj.kind == kind or (kind == "computed" and obj.is_computed))
                options = {**options, "classes": () if is_own else ("collapse",)}
            fieldsets.append((name, options))
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz" and not request.user.is_superuser:
            kwargs["queryset"] = Quiz.objects.filter(
                lecture__course__in=Course.objects.staffed_by(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Student view")
    def view_link(self, question):
        return student_view_link(question.quiz, f"#q{question.pk}") if question.pk else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
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
        if not question.pk:
            return "Save the question to see its preview."
        if question.is_computed:
            return computed_preview(question)
        choices = list(question.choices.all())
        texts = [question.prompt, question.hint, question.explanation] + [c.text for c in choices]
        prompt, hint, explanation, *choice_html = render_many(texts)
        items = format_html_join(
            "",
            "<li>{}{}</li>",
            (
                (mark_safe(html), " ✓" if c.is_correct else "")
                for c, html in zip(choices, choice_html, strict=True)
            ),
        )
        return format_html(
            '<div class="quiz-preview" style="max-width:48rem">{}{}<p><strong>Hint</strong></p>{}'
            "<p><strong>Explanation</strong></p>{}</div>",
            mark_safe(prompt),
            format_html("<ol>{}</ol>", items) if choices else "",
            mark_safe(hint),
            mark_safe(explanation),
        )


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
