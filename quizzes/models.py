"""Quizzes, questions, choices, per-student variants and submissions.

Progress is not stored: it is derived from submissions (see ``progress.reports``).
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from courses.models import Course, Enrolment, Lecture
from quizzes import mastery, visibility
from quizzes.kinds import get_kind, kind_choices
from quizzes.kinds.base import Kind
from quizzes.question_validation import question_errors
from quizzes.rendering import IMAGE_NAME_PATTERN


def new_uid(title: str) -> str:
    """A stable name for a quiz or question that has none: its title as a slug, plus a random
    suffix so that two "Question 1"s do not collide (course files name them by it)."""
    return f"{slugify(title)[:60] or 'item'}-{secrets.token_hex(3)}"


def parse_try_credits(text: str) -> list[float]:
    """Parse "100,70,50" into [1.0, 0.7, 0.5]; raise ValidationError with a clear message.

    Each entry is the percentage of a question's points earned by a correct answer on that try;
    the number of entries is the number of tries. Entries must be in (0, 100] and not increase.
    """
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValidationError("List one percentage per try, separated by commas, e.g. 100,70,50.")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValidationError("Each entry must be a number, e.g. 100,70,50.") from None
    if any(not 0 < v <= 100 for v in values):
        raise ValidationError("Each entry must be more than 0 and at most 100.")
    if any(b > a for a, b in zip(values, values[1:], strict=False)):
        raise ValidationError("Later tries cannot earn more than earlier ones (e.g. 100,70,50).")
    return [v / 100 for v in values]


def open_to_students_q(now, prefix: str = "") -> models.Q:
    """A filter on quizzes (through ``prefix``, e.g. "quiz__") that students may open at ``now``:
    published, lecture released, opening time passed. A closed quiz can still be opened, read-only."""
    return (
        models.Q(**{f"{prefix}is_published": True})
        & (models.Q(**{f"{prefix}lecture__release_date__isnull": True})
           | models.Q(**{f"{prefix}lecture__release_date__lte": now}))
        & (models.Q(**{f"{prefix}opens_at__isnull": True}) | models.Q(**{f"{prefix}opens_at__lte": now}))
    )


class QuizQuerySet(models.QuerySet):
    """Who may see and open which quiz: the HTML views and the API start from these."""

    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Quizzes listed to the user: published ones of the courses they are enrolled in, and every
        quiz of the courses they teach."""
        staffed = Course.objects.staffed_by(user)
        enrolled = Course.objects.for_user(user)
        return self.filter(
            models.Q(lecture__course__in=staffed) | models.Q(lecture__course__in=enrolled, is_published=True)
        )

    def available_to(self, user, now):
        """Quizzes the user may open at ``now``: every quiz of the courses they teach (to preview them
        as a student would), and in the courses they study those ``open_to_students_q`` allows."""
        staffed = Course.objects.staffed_by(user)
        enrolled = Course.objects.for_user(user)
        return self.filter(models.Q(lecture__course__in=staffed)
                           | (models.Q(lecture__course__in=enrolled) & open_to_students_q(now)))

    def feedback_withheld(self, now):
        """Quizzes whose feedback students may not see yet (``visibility.feedback_withheld_q``)."""
        return self.filter(visibility.feedback_withheld_q(now))


class Quiz(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice (unlimited tries, self-assessment)"
        GRADED = "graded", "Graded (limited tries, points)"

    class FeedbackPolicy(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately after each answer"
        AFTER_CLOSE = "after_close", "Only after the quiz closes"

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="quizzes")
    uid = models.SlugField(
        max_length=80, blank=True,
        help_text="Stable name in the course's files (unique in the course); empty: made from the title on save.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown, shown above the questions.")
    position = models.PositiveSmallIntegerField(default=1, help_text="Order among the lecture's quizzes.")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.PRACTICE)
    is_published = models.BooleanField(default=False, help_text="Students see only published quizzes.")
    opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open now.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never closes.")
    hint_after = models.PositiveSmallIntegerField(
        default=1, help_text="Show a question's hint after this many wrong tries (0: from the start)."
    )
    try_credits = models.CharField(
        max_length=100,
        default="100,70,50",
        help_text=(
            "Graded mode: percentage of a question's points for a correct answer on try 1, 2, 3, … "
            "The number of entries is the number of tries (100,70,50 gives 10, 7 or 5 of 10 points)."
        ),
    )
    feedback_policy = models.CharField(
        max_length=20,
        choices=FeedbackPolicy.choices,
        default=FeedbackPolicy.IMMEDIATE,
        help_text="Graded mode: when students see whether an answer was right.",
    )

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["lecture__course", "lecture__number", "position", "id"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return f"{self.lecture}: {self.title}"

    def save(self, *args, **kwargs):
        if not self.uid:
            self.uid = new_uid(self.title or "quiz")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("quizzes:quiz", args=[self.lecture.course.slug, self.pk])

    def clean(self) -> None:
        errors = {}
        try:
            parse_try_credits(self.try_credits)
        except ValidationError as error:
            errors["try_credits"] = error
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = "The quiz must close after it opens."
        if self.uid and self.lecture_id:
            same = Quiz.objects.filter(lecture__course=self.lecture.course_id, uid=self.uid).exclude(pk=self.pk)
            if same.exists():
                errors["uid"] = f"Another quiz of this course is named “{self.uid}”: choose another uid."
        if errors:
            raise ValidationError(errors)

    @property
    def is_practice(self) -> bool:
        return self.mode == Quiz.Mode.PRACTICE

    @property
    def credits(self) -> list[float]:
        """Fraction of points per try in graded mode (see ``parse_try_credits``)."""
        return parse_try_credits(self.try_credits)

    @property
    def max_tries(self) -> int | None:
        """Tries per question variant: None (unlimited) in practice mode."""
        return None if self.is_practice else len(self.credits)

    def has_opened(self, now=None) -> bool:
        return self.opens_at is None or self.opens_at <= (now or timezone.now())

    def has_closed(self, now=None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.has_opened(now) and not self.has_closed(now)

    def may_be_opened_by(self, role: str, now) -> bool:
        """Whether a member of the course in ``role`` may open this quiz at ``now``: staff always (to
        preview it as a student would), students when ``open_to_students_q`` says so (the same rule,
        which ``QuizQuerySet.available_to`` applies in SQL; a test checks the two agree)."""
        if role in Enrolment.Role.staff_roles():
            return True
        return self.is_published and self.lecture.is_released(now) and self.has_opened(now)

    def feedback_visible(self, now=None) -> bool:
        """Whether students may see grading feedback now (``quizzes.visibility.feedback_visible``)."""
        return visibility.feedback_visible(self, now or timezone.now())


class QuestionQuerySet(models.QuerySet):
    def active(self):
        """Questions students see: not archived."""
        return self.filter(is_archived=False)

    def available_to(self, user, now):
        """Questions the user may answer at ``now``: every question of the courses they teach; in the
        courses they study, active questions of the quizzes ``open_to_students_q`` allows."""
        staffed = Course.objects.staffed_by(user)
        enrolled = Course.objects.for_user(user)
        return self.filter(
            models.Q(quiz__lecture__course__in=staffed)
            | (models.Q(quiz__lecture__course__in=enrolled, is_archived=False) & open_to_students_q(now, "quiz__"))
        )


class Question(models.Model):
    """One question of a quiz. Its ``kind`` (a slug of ``quizzes.kinds.REGISTRY``) decides how it is
    answered, graded and shown; the kind's own settings live in ``settings``, checked by the kind."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    uid = models.SlugField(
        max_length=80, blank=True,
        help_text="Stable name in the course's files (unique in the course); empty: made from the title on save.",
    )
    is_archived = models.BooleanField(
        default=False,
        help_text="Hidden from students (kept for statistics and exports): set when a course import no longer "
        "has a question that students answered.",
    )
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=kind_choices, default="single")
    title = models.CharField(max_length=200, blank=True, help_text="Short name for lists (optional).")
    prompt = models.TextField(
        blank=True,
        help_text="Markdown with LaTeX math: $…$ inline, $$…$$ on its own line. Computed kinds: empty uses the "
        "generator's prompt; {{ name }} places a parameter.",
    )
    points = models.FloatField(default=1.0)
    hint = models.TextField(blank=True, help_text="Markdown, shown after the quiz's number of wrong tries.")
    explanation = models.TextField(
        blank=True, help_text="Markdown worked solution, shown after a correct answer or on “show solution”."
    )
    settings = models.JSONField(
        default=dict, blank=True,
        help_text="The kind's settings (answer, tolerances, generator, …), checked by the kind.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up when what students see or how they are graded changes after answers came in."
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="A hash of what the version covers (quizzes.questions.question_fingerprint).",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "position", "id"]

    def __str__(self) -> str:
        return self.title or f"Question {self.position} of {self.quiz.title}"

    def save(self, *args, **kwargs):
        if not self.uid:
            self.uid = new_uid(self.title or "question")
        super().save(*args, **kwargs)

    # The image names a course import checks against (its folder's and the stored ones) before it stores
    # the folder's images; None: the course's stored images.
    image_names_override: frozenset[str] | None = None

    def image_names(self) -> frozenset[str]:
        """The names of the images this question may show (``![alt](image:NAME)``)."""
        if self.image_names_override is not None:
            return self.image_names_override
        if not self.quiz_id:
            return frozenset()
        images = QuestionImage.objects.filter(course=self.quiz.lecture.course_id)
        return frozenset(images.values_list("name", flat=True))

    def clean(self) -> None:
        errors = question_errors(self, image_names=self.image_names)
        if self.uid and self.quiz_id:
            same = Question.objects.filter(quiz__lecture__course=self.quiz.lecture.course_id, uid=self.uid)
            if same.exclude(pk=self.pk).exists():
                errors["uid"] = [f"Another question of this course is named “{self.uid}”: choose another uid."]
        if errors:
            raise ValidationError(errors)

    @property
    def kind_spec(self) -> Kind:
        """The kind's behaviour (``quizzes.kinds.base.Kind``)."""
        return get_kind(self.kind)

    @property
    def is_computed(self) -> bool:
        return self.kind_spec.is_computed

    @property
    def has_choices(self) -> bool:
        return self.kind_spec.has_choices


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(help_text="Markdown with math.")
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField(blank=True, help_text="Markdown, shown when a student picks this choice.")
    fraction = models.FloatField(
        null=True,
        blank=True,
        help_text=(
            "Credit for picking this choice, from -1 to 1 (0.5 = 50 %, -0.25 = -25 %). "
            "Used only when the question is graded with Moodle fractions; blank otherwise."
        ),
    )

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class VariantQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(student=user)


class Variant(models.Model):
    """One student's instance of a question. Fixed once made: reloading shows the same one.

    For questions without a generator the seed is unused and ``params``/``answer`` stay empty;
    the variant still anchors the student's submissions, tries and revealed state.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        ERROR = "error", "Error"

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="variants")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="variants")
    number = models.PositiveIntegerField(
        default=1, help_text="1 for the first variant, +1 per “new variant”."
    )
    seed = models.BigIntegerField(default=0)
    generator = models.CharField(max_length=60, blank=True, help_text="Computed: the generator it was made with.")
    config = models.JSONField(
        null=True, blank=True, help_text="Computed: the cleaned config it was made with (edits apply to new variants)."
    )
    params = models.JSONField(null=True, blank=True, help_text="Computed: the numbers the student sees.")
    answer = models.JSONField(
        null=True, blank=True, help_text="Computed: the exact answer (never sent early)."
    )
    values = models.JSONField(
        null=True, blank=True, help_text="Computed: named values for the worked solution."
    )
    mistakes = models.JSONField(default=list, blank=True, help_text="Computed: known wrong answers.")
    tolerance = models.JSONField(null=True, blank=True, help_text="Computed: the generator's rtol/atol.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.READY)
    error = models.TextField(blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True, help_text="Computed: when solving last ran.")
    compute_ms = models.FloatField(null=True, blank=True)
    device = models.CharField(max_length=20, blank=True)
    revealed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the student asked to see the solution."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VariantQuerySet.as_manager()

    class Meta:
        ordering = ["question", "student", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["student", "question", "number"], name="variant_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question} #{self.number} for {self.student}"

    @property
    def is_ready(self) -> bool:
        return self.status == Variant.Status.READY

    @property
    def is_error(self) -> bool:
        return self.status == Variant.Status.ERROR


class SubmissionQuerySet(models.QuerySet):
    """Reads of submissions; the filters state the rules of ``quizzes.mastery`` in SQL."""

    def for_user(self, user):
        return self.filter(variant__student=user)

    def graded(self):
        """Tries (``mastery.is_try``)."""
        return self.filter(status=Submission.Status.GRADED)

    def counting_for_mastery(self):
        """Tries that count for mastery (``mastery.counts_for_mastery``)."""
        return self.graded().filter(after_reveal=False)


class Submission(models.Model):
    """One answer to one variant. Stored before grading; invalid input is kept, costs no try."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        GRADED = "graded", "Graded"
        INVALID = "invalid", "Invalid input"
        ERROR = "error", "Error"

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="submissions")
    nonce = models.CharField(max_length=64, help_text="Client token: a repeated POST records one submission.")
    raw = models.TextField(blank=True, help_text="What the student sent, as text (choice ids as a list).")
    value = models.JSONField(null=True, blank=True, help_text="The parsed answer.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    try_number = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty for invalid input.")
    score = models.FloatField(null=True, blank=True, help_text="Fraction of the question in [0, 1].")
    points = models.FloatField(null=True, blank=True, help_text="Points earned by this try.")
    feedback = models.TextField(blank=True)
    choice_feedback = models.JSONField(default=dict, blank=True, help_text="Choice id → right/wrong mark.")
    cell_marks = models.JSONField(default=list, blank=True, help_text="Vector/matrix: right/wrong per entry.")
    step_marks = models.JSONField(
        default=list, blank=True, help_text="Multi-step: per asked step its mark (right, carried, shown, wrong, blank)."
    )
    mistake = models.CharField(max_length=60, blank=True, help_text="The known mistake the answer matched.")
    after_reveal = models.BooleanField(
        default=False, help_text="Sent after the variant's solution was shown: checked, but not counted as mastery."
    )
    created_at = models.DateTimeField(default=timezone.now)
    graded_at = models.DateTimeField(null=True, blank=True)
    question_version = models.PositiveIntegerField(default=1, help_text="The question's version when answered.")
    regraded_at = models.DateTimeField(null=True, blank=True, help_text="When a regrade last changed its score.")

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["variant", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["variant", "nonce"], name="submission_nonce_unique")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.variant}: {self.raw[:30]!r} ({self.status})"

    @property
    def is_correct(self) -> bool:
        return mastery.is_correct(self)


class Regrade(models.Model):
    """One submission's score changed by a regrade of its question (``quizzes.regrading``)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="regrades")
    old_score = models.FloatField(null=True)
    new_score = models.FloatField(null=True)
    old_points = models.FloatField(null=True)
    new_points = models.FloatField(null=True)
    question_version = models.PositiveIntegerField(help_text="The question's version it was regraded against.")
    reason = models.TextField(blank=True)
    regraded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    regraded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["regraded_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.old_score} → {self.new_score}"


def _image_upload_to(image: "QuestionImage", filename: str) -> str:
    """Where the bytes go in the default storage: one folder per course, the content hash in the
    path, so a replaced image never overwrites the file an old page may still point at."""
    return f"course-images/{image.course_id}/{image.sha256[:16]}-{image.name}"


class QuestionImage(models.Model):
    """An image that questions of a course show, written ``![alt](image:NAME)`` in their Markdown.

    A model of the quizzes app (not an app of its own): it exists only to be shown in questions, its
    rules (name unique in the course, who may fetch it) are the course's, and the renderer, the
    question checks and the quiz page that use it are all here. The bytes are in Django's default
    storage (``STORAGES["default"]``: a folder under ``MEDIA_ROOT``, or any backend in production);
    the row keeps what serving and import need without opening the file: the type found from the
    bytes, the size and the sha256 (the page's URL carries it, so a cached page never shows an old
    image). ``quizzes.images`` checks and stores uploads (``image_store``); never save one directly.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="images")
    name = models.CharField(
        max_length=100,
        validators=[RegexValidator(rf"\A{IMAGE_NAME_PATTERN}\Z",
                                   "Letters, digits, '.', '-' and '_', starting with a letter or digit.")],
        help_text="The name authors write: ![what it shows](image:NAME). Unique in the course, e.g. relu-plot.png.",
    )
    file = models.FileField(upload_to=_image_upload_to, max_length=255)
    content_type = models.CharField(max_length=40, editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["course", "name"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="image_name_unique_in_course")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("quizzes:image", args=[self.course.slug, self.sha256[:16], self.name])

    @property
    def markdown(self) -> str:
        """The snippet an author copies into a question."""
        return f"![Describe what the image shows](image:{self.name})"
