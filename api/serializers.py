"""What the API shows of each object. Read-only: the API changes nothing.

Students never receive answers, correct choices, tolerances, seeds, generator configs, hints,
worked solutions or named mistakes: question rows carry them only in ``grading``, added for
staff of the question's course, and a student's own submission carries its variant's answer
only once that variant's solution is visible to them (the rule of the quiz page,
``quizzes.visibility.solution_visible``). The same holds for the ``steps`` of a multi-step answer:
a step's exact value once the solution is visible (or the step was shown on request, as the quiz
page shows it), its mark while feedback is shown, its named mistake only to staff.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.models import Course, Enrolment, Lecture
from progress.step_answers import MARKS, StepAnswer, step_answers
from quizzes.models import Choice, Question, Quiz, Submission


class CourseSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in the course.")

    class Meta:
        model = Course
        fields = ["slug", "title", "term", "description", "role"]

    @extend_schema_field(serializers.ChoiceField(choices=Enrolment.Role.choices))
    def get_role(self, course) -> str:
        return getattr(course, "api_role", None) or Enrolment.Role.INSTRUCTOR  # superusers: instructor


class LectureSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Lecture
        fields = ["id", "course", "number", "title", "slug", "release_date", "description"]


class QuizSerializer(serializers.ModelSerializer):
    course = serializers.CharField(source="lecture.course.slug", read_only=True)
    lecture_number = serializers.IntegerField(source="lecture.number", read_only=True)
    max_tries = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null: unlimited.")

    class Meta:
        model = Quiz
        fields = [
            "id",
            "course",
            "lecture",
            "lecture_number",
            "title",
            "description",
            "position",
            "mode",
            "is_published",
            "opens_at",
            "closes_at",
            "feedback_policy",
            "max_tries",
        ]


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text"]


class GradingSerializer(serializers.ModelSerializer):
    """How a question is graded: staff of its course only."""

    correct_choices = serializers.SerializerMethodField(help_text="Ids of the correct choices.")
    settings = serializers.JSONField(
        read_only=True, help_text="The kind's settings (answer, tolerances, generator and config, …)."
    )

    class Meta:
        model = Question
        fields = ["hint", "explanation", "settings", "correct_choices"]

    def get_correct_choices(self, question) -> list[int]:
        return [choice.id for choice in question.choices.all() if choice.is_correct]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)
    # Not read-only, so the schema lists it as optional: students' rows do not have it.
    grading = GradingSerializer(source="*", required=False, help_text="Staff of the course only.")

    class Meta:
        model = Question
        fields = ["id", "quiz", "position", "kind", "title", "prompt", "points", "choices", "grading"]

    def to_representation(self, question):
        data = super().to_representation(question)
        if question.quiz.lecture.course_id not in self.context["staffed_course_ids"]:
            del data["grading"]
        return data


class StepAnswerSerializer(serializers.Serializer):
    """One step of one of your multi-step answers."""

    step = serializers.CharField(help_text="The step's name (the generator's, e.g. `z1`).")
    answer = serializers.JSONField(
        allow_null=True, help_text="The value given: a number, or nested lists for a vector or matrix; null when "
        "the step was left blank or shown on request."
    )
    mark = serializers.ChoiceField(
        choices=MARKS, allow_null=True, help_text="`right`; `carried` (wrong, but right for the earlier values "
        "given); `wrong`; `shown` (on request: no credit); `blank`. Null until graded and while feedback is withheld."
    )
    credit = serializers.FloatField(allow_null=True, help_text="Share of the step's weight earned, 0-1; null as mark.")
    correct = serializers.JSONField(
        allow_null=True, help_text="The step's exact value; null until the variant's solution is visible to you "
        "(a step shown on request has it)."
    )


class ResultStepSerializer(StepAnswerSerializer):
    """One step of a multi-step answer, for the course's staff."""

    mark = serializers.ChoiceField(choices=MARKS, allow_null=True, help_text="As for students; null until graded.")
    credit = serializers.FloatField(allow_null=True, help_text="Share of the step's weight earned, 0-1.")
    mistake = serializers.CharField(help_text="The named mistake the step matched (\"\" for none).")
    correct = serializers.JSONField(allow_null=True, help_text="The step's exact value in this variant.")


STEPS_HELP = (
    "Multi-step questions: each step of the answer, in the asked order once graded; [] for other questions."
)


def step_item(row: StepAnswer, *, marked: bool, correct) -> dict:
    """A ``StepAnswerSerializer`` item: the mark and credit only when ``marked``, the exact value ``correct``."""
    return {"step": row.step, "answer": row.answer, "mark": (row.mark or None) if marked else None,
            "credit": row.credit if marked else None, "correct": correct}


def exact_values(answer) -> dict:
    """A multi-step variant's exact values by step ({} for any other answer, or none yet)."""
    return answer if isinstance(answer, dict) else {}


class MySubmissionSerializer(serializers.ModelSerializer):
    """One of the student's own answers. ``context["shown"]``: variant id -> what may be shown."""

    course = serializers.CharField(source="variant.question.quiz.lecture.course.slug", read_only=True)
    lecture = serializers.IntegerField(source="variant.question.quiz.lecture_id", read_only=True)
    quiz = serializers.IntegerField(source="variant.question.quiz_id", read_only=True)
    question = serializers.IntegerField(source="variant.question_id", read_only=True)
    variant_number = serializers.IntegerField(source="variant.number", read_only=True)
    solution_visible = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField(
        help_text="The correct answer of this variant; null until its solution is visible to you."
    )
    steps = serializers.SerializerMethodField(help_text=STEPS_HELP)

    class Meta:
        model = Submission
        fields = [
            "id",
            "course",
            "lecture",
            "quiz",
            "question",
            "variant_number",
            "try_number",
            "raw",
            "value",
            "status",
            "score",
            "points",
            "feedback",
            "created_at",
            "graded_at",
            "solution_visible",
            "answer",
            "steps",
        ]
        extra_kwargs = {
            "score": {"help_text": "Null while feedback is withheld (graded quiz, feedback after close)."},
            "points": {"help_text": "Null while feedback is withheld."},
        }

    def get_solution_visible(self, submission) -> bool:
        return self.context["shown"][submission.variant_id].solution

    @extend_schema_field(OpenApiTypes.ANY)
    def get_answer(self, submission):
        if not self.get_solution_visible(submission):
            return None
        variant = submission.variant
        question = variant.question
        return question.kind_spec.correct_answer(question, choices=list(question.choices.all()), variant=variant)

    @extend_schema_field(StepAnswerSerializer(many=True))
    def get_steps(self, submission) -> list[dict]:
        shown = self.context["shown"][submission.variant_id]
        marked = shown.feedback and submission.status == Submission.Status.GRADED
        exact = exact_values(submission.variant.answer)
        return [step_item(row, marked=marked, correct=exact.get(row.step) if shown.solution or row.shown else None)
                for row in step_answers(submission.value, submission.step_marks)]

    def to_representation(self, submission):
        data = super().to_representation(submission)
        if not self.context["shown"][submission.variant_id].feedback:
            data.update(score=None, points=None, feedback="")
        return data


class StudentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="student_id")
    username = serializers.CharField(source="student_username")


class ResultSerializer(serializers.Serializer):
    """One submission of a course's results (from a ``values()`` row: see ``exports.RESULT_COLUMNS``)."""

    id = serializers.IntegerField()
    student = StudentSerializer(source="*")
    lecture = serializers.IntegerField(help_text="Lecture number.")
    quiz = serializers.IntegerField()
    question = serializers.IntegerField()
    variant_seed = serializers.IntegerField()
    variant_number = serializers.IntegerField()
    try_number = serializers.IntegerField(allow_null=True)
    raw = serializers.CharField(help_text="The input as the student sent it.")
    value = serializers.JSONField(allow_null=True, help_text="The parsed input.")
    score = serializers.FloatField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    mistake = serializers.CharField(help_text="The named mistake the answer matched, if any.")
    created_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)
    steps = serializers.SerializerMethodField(help_text=STEPS_HELP)

    @extend_schema_field(ResultStepSerializer(many=True))
    def get_steps(self, row) -> list[dict]:
        exact = exact_values(row["variant_answer"])
        return [{**step_item(step, marked=True, correct=exact.get(step.step)), "mistake": step.mistake}
                for step in step_answers(row["value"], row["step_marks"])]


class LectureProgressSerializer(serializers.Serializer):
    lecture = serializers.IntegerField(help_text="Lecture id.")
    number = serializers.IntegerField()
    title = serializers.CharField()
    total = serializers.IntegerField(help_text="Questions in the lecture's published quizzes.")
    tried = serializers.IntegerField(help_text="Questions with at least one graded try.")
    mastered = serializers.IntegerField(help_text="Questions whose latest graded try was correct.")
    percent = serializers.IntegerField(help_text="Mastered share, 0-100.")
    tries = serializers.IntegerField(help_text="Graded tries.")
    correct = serializers.IntegerField(help_text="Graded tries with full score.")
    seconds = serializers.FloatField(help_text="Time spent answering (see the progress page).")


class StudentProgressSerializer(serializers.Serializer):
    student = StudentSerializer(source="*")
    lectures = LectureProgressSerializer(many=True)


class WrongAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    count = serializers.IntegerField()


class MistakeShareSerializer(serializers.Serializer):
    name = serializers.CharField()
    share = serializers.FloatField(help_text="Share of wrong answers that matched this mistake, 0-1.")


class StepFiguresSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Position among the asked steps, from 1.")
    step = serializers.CharField(help_text="The step's name (the generator's).")
    symbol = serializers.CharField(help_text="The step's symbol (LaTeX).")
    title = serializers.CharField()
    tries = serializers.IntegerField(help_text="Last tries (one per student) that mark this step.")
    right = serializers.FloatField(allow_null=True, help_text="Share of those last tries marking it right, 0-1.")
    carried = serializers.FloatField(allow_null=True, help_text="… marking it carried (right for wrong inputs).")
    wrong = serializers.FloatField(allow_null=True, help_text="… marking it wrong.")
    shown = serializers.FloatField(allow_null=True, help_text="… marking it shown on request.")
    blank = serializers.FloatField(allow_null=True, help_text="… marking it blank.")
    first_wrong = serializers.IntegerField(help_text="Students whose last try's first wrong step is this one.")
    wrong_value = serializers.CharField(
        help_text="The value most often given where the step was marked wrong, over all tries (numbers to 6 "
        "significant digits); \"\" when none was."
    )
    wrong_count = serializers.IntegerField(help_text="Tries that gave it.")
    wrong_mistake = serializers.CharField(help_text="The named mistake those tries matched (\"\" for none).")


class StepStatisticsSerializer(serializers.Serializer):
    students = serializers.IntegerField(help_text="Students who tried (their last tries are counted).")
    none_wrong = serializers.IntegerField(help_text="Students whose last try has no wrong step.")
    steps = StepFiguresSerializer(many=True)


class QuestionStatisticsSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    title = serializers.CharField()
    students = serializers.IntegerField(help_text="Students who tried the question.")
    facility_first = serializers.FloatField(allow_null=True, help_text="Mean score of first tries.")
    facility_last = serializers.FloatField(allow_null=True, help_text="Mean score of last tries.")
    sd = serializers.FloatField(allow_null=True, help_text="Standard deviation of the scores.")
    discrimination = serializers.FloatField(
        allow_null=True, help_text="Correlation with the rest of the quiz."
    )
    invalid_share = serializers.FloatField(allow_null=True, help_text="Share of invalid inputs.")
    median_tries_to_correct = serializers.FloatField(allow_null=True)
    median_seconds = serializers.FloatField(allow_null=True)
    wrong_answers = WrongAnswerSerializer(many=True, help_text="Most common wrong answers.")
    mistakes = MistakeShareSerializer(many=True, help_text="Named mistakes of computed questions.")
    histogram = serializers.ListField(child=serializers.IntegerField(), help_text="Counts of scores per bin.")
    steps = StepStatisticsSerializer(
        allow_null=True, help_text="Multi-step questions: where the class goes wrong, per step; null for others."
    )
