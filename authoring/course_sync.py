"""A course read from files, matched to its rows, checked with the admin's rules, then saved.

``sync_plan`` loads the course's rows and assigns the files' values to them in memory: the course matched
by slug, lectures by number, quizzes and questions by uid within the course, choices by position. What is
new is an unsaved instance; every row knows whether the files change it. Questions the files no longer
have are archived when students have variants of them, else deleted; a quiz or lecture the files no
longer have is deleted, or kept (a quiz unpublished) while it still holds archived questions.
``sync_problems`` cleans every instance as the admin's forms do (``full_clean``: the field checks, then
the model's ``clean``, for a question ``quizzes.question_validation.question_errors``; choices with
``validate_choices``) and puts each message at the line of the key it is about. ``sync_apply`` saves.
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from authoring import file_keys
from authoring.course_files import CourseFolder, Problem, QuestionFile, Where
from authoring.file_keys import Table
from courses.models import Course, Lecture
from quizzes.kinds import UnknownKind, get_kind
from quizzes.kinds.base import SettingsError
from quizzes.models import Choice, Question, Quiz, Submission, Variant
from quizzes.question_validation import validate_choices
from quizzes.questions import question_save

# Fields full_clean leaves out: the parent (matched, not from a file) and a question's kind, which
# question_errors checks with a message that lists the known kinds.
NOT_CLEANED = {Course: [], Lecture: ["course"], Quiz: ["lecture"], Question: ["quiz", "kind"]}


@dataclass
class Row:
    """A model instance with the files' values assigned (unsaved when new) and where they come from."""

    instance: models.Model
    tables: tuple[Table, ...]
    where: Where
    prefix: str = ""  # the table's key path in its file, e.g. "quizzes[0]."
    created: bool = False
    changed: bool = False


@dataclass
class QuestionRow(Row):
    choices: list[Choice] = field(default_factory=list)  # in the file's order, positions set
    surplus: list[Choice] = field(default_factory=list)  # saved choices beyond the file's: deleted


@dataclass
class Plan:
    course: Row
    lectures: list[Row] = field(default_factory=list)
    quizzes: list[Row] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    archive: list[Question] = field(default_factory=list)  # gone from the files, answered by students
    delete: list[Question] = field(default_factory=list)  # gone from the files, never answered
    gone_quizzes: list[tuple[Quiz, bool]] = field(default_factory=list)  # (quiz, kept: it holds archived questions)
    gone_lectures: list[tuple[Lecture, bool]] = field(default_factory=list)

    def notes(self) -> list[str]:
        """What happens to quizzes and lectures that the files no longer have."""
        quizzes = [f"quiz “{quiz.uid}” is not in the files: "
                   + ("kept, unpublished: it holds archived questions" if kept else "deleted")
                   for quiz, kept in self.gone_quizzes]
        return quizzes + [f"lecture {lecture.number} “{lecture.slug}” is not in the files: "
                          + ("kept: it holds archived questions" if kept else "deleted")
                          for lecture, kept in self.gone_lectures]


def assign(instance: models.Model, fields: dict) -> bool:
    """Set ``fields`` on ``instance``; whether any value differed. A parent is given as a model instance."""
    changed = instance.pk is None
    for name, value in fields.items():
        if isinstance(value, models.Model):
            changed |= value.pk is None or getattr(instance, f"{name}_id") != value.pk
        elif getattr(instance, name) != value:
            changed = True
        setattr(instance, name, value)
    return changed


def sync_plan(folder: CourseFolder) -> Plan:
    """Match ``folder`` (read without problems) to the database; reads only."""
    fields = dict(folder.fields)
    course = Course.objects.filter(slug=fields["slug"]).first() or Course()
    if fields["enrolment_code"] is None:
        del fields["enrolment_code"]  # an existing course keeps its code, a new one has a random one
    else:
        fields["enrolment_code"] = fields["enrolment_code"].upper()  # as Course.save stores it
    plan = Plan(Row(course, (file_keys.COURSE,), folder.where, created=course.pk is None))
    plan.course.changed = assign(course, fields)
    lectures = {lecture.number: lecture for lecture in Lecture.objects.filter(course=course.pk)}
    quizzes = {quiz.uid: quiz for quiz in Quiz.objects.filter(lecture__course=course.pk)}
    questions = {question.uid: question for question in
                 Question.objects.filter(quiz__lecture__course=course.pk).prefetch_related("choices")}
    for lecture_folder in folder.lectures:
        lecture = lectures.pop(lecture_folder.fields["number"], None) or Lecture()
        row = Row(lecture, (file_keys.LECTURE,), lecture_folder.where, created=lecture.pk is None)
        row.changed = assign(lecture, {**lecture_folder.fields, "course": course})
        plan.lectures.append(row)
        for table in lecture_folder.quizzes:
            quiz = quizzes.pop(table.fields["uid"], None) or Quiz()
            row = Row(quiz, (file_keys.QUIZ,), table.where, table.key + ".", created=quiz.pk is None)
            quiz_fields = {name: value for name, value in table.fields.items() if name != "questions"}
            row.changed = assign(quiz, {**quiz_fields, "lecture": lecture})
            plan.quizzes.append(row)
            for position, uid in enumerate(table.fields["questions"], start=1):
                question = questions.pop(uid, None) or Question()
                plan.questions.append(_question_row(question, lecture_folder.questions[uid], quiz, position))
    gone = [question for question in questions.values() if not question.is_archived]
    answered = set(Variant.objects.filter(question__in=gone).values_list("question_id", flat=True))
    plan.archive = [question for question in gone if question.pk in answered]
    plan.delete = [question for question in gone if question.pk not in answered]
    holding = {question.quiz_id for question in questions.values() if question.is_archived or question.pk in answered}
    plan.gone_quizzes = [(quiz, quiz.pk in holding) for quiz in quizzes.values()]
    kept_lectures = {quiz.lecture_id for quiz, kept in plan.gone_quizzes if kept}
    plan.gone_lectures = [(lecture, lecture.pk in kept_lectures) for lecture in lectures.values()]
    return plan


def _question_row(question: Question, file: QuestionFile, quiz: Quiz, position: int) -> QuestionRow:
    fields = dict(file.fields)
    try:  # compared in their stored form; the checks report what does not clean
        fields["settings"] = get_kind(fields["kind"]).clean_settings(fields["settings"])
    except SettingsError as error:
        fields["settings"] = {**fields["settings"], **error.cleaned}
    except UnknownKind:
        pass
    row = QuestionRow(question, (file_keys.QUESTION_HEAD, file_keys.QUESTION_TAIL), file.where,
                      created=question.pk is None)
    row.changed = assign(question, {**fields, "quiz": quiz, "position": position, "is_archived": False})
    saved = sorted(question.choices.all(), key=lambda choice: (choice.position, choice.id)) if question.pk else []
    for position, choice_fields in enumerate(file.choices, start=1):
        choice = saved[position - 1] if position <= len(saved) else Choice()
        row.changed |= assign(choice, {**choice_fields, "position": position})
        row.choices.append(choice)
    row.surplus = saved[len(file.choices):]
    row.changed |= bool(row.surplus)
    return row


def sync_problems(plan: Plan) -> list[Problem]:
    """Every message the admin would give for the planned rows, at its file line; reads only."""
    problems = []
    for row in [plan.course, *plan.lectures, *plan.quizzes, *plan.questions]:
        try:
            row.instance.full_clean(exclude=NOT_CLEANED[type(row.instance)])
        except ValidationError as error:
            problems += [_problem(row, name, message) for name, messages in error.message_dict.items()
                         for message in messages]
    for row in plan.questions:
        question = row.instance
        try:
            drafts = [(choice.text, choice.is_correct, choice.fraction) for choice in row.choices]
            validate_choices(question.kind, drafts, question.settings)
        except ValidationError as error:
            problems += [row.where.problem("choices", f"choices: {message}") for message in error.messages]
        except UnknownKind:
            pass  # reported with the question
        if row.surplus and Submission.objects.filter(variant__question=question).exists():
            problems.append(row.where.problem("choices", (
                f"students have answered this question, so its choices may be edited but not removed: "
                f"it has {len(row.choices) + len(row.surplus)}, the file {len(row.choices)}")))
    return problems


def _problem(row: Row, name: str, message: str) -> Problem:
    if name == "prompt" and isinstance(row.instance, Question):
        return Problem(row.where.file, row.where.matter.body_line, f"prompt: {message}")
    if name == NON_FIELD_ERRORS:
        return row.where.problem(row.prefix.rstrip(".") or None, message)
    key = next((key.name for table in row.tables for key in table.keys if key.field == name), name)
    return row.where.problem(row.prefix + key, f"{key}: {message}")


def sync_apply(plan: Plan) -> None:
    """Save what the plan changes. The caller holds a transaction."""
    if plan.course.changed:
        plan.course.instance.save()
    _free_lecture_slugs(plan)
    for row in plan.lectures + plan.quizzes:
        if row.changed:
            row.instance.save()
    for row in plan.questions:
        if row.changed:
            question_save(question=row.instance, choices=row.choices, surplus=row.surplus)
    Question.objects.filter(pk__in=[question.pk for question in plan.archive]).update(is_archived=True)
    Question.objects.filter(pk__in=[question.pk for question in plan.delete]).delete()
    for quiz, kept in plan.gone_quizzes:
        if kept:
            Quiz.objects.filter(pk=quiz.pk).update(is_published=False)
        else:
            quiz.delete()
    Lecture.objects.filter(pk__in=[lecture.pk for lecture, kept in plan.gone_lectures if not kept]).delete()


def _free_lecture_slugs(plan: Plan) -> None:
    """A lecture slug is unique in its course: a saved lecture whose slug another one of the files takes
    (lectures renumbered) first gets a temporary one, so that the saves do not collide."""
    taken = {row.instance.slug: row.instance.pk for row in plan.lectures}
    for lecture in Lecture.objects.filter(course=plan.course.instance, slug__in=taken):
        if taken[lecture.slug] != lecture.pk:
            Lecture.objects.filter(pk=lecture.pk).update(slug=f"{lecture.slug}-{lecture.pk}")
