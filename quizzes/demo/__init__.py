"""The demo course "Deep Learning": 12 lectures, a self-check quiz each, and two demo accounts.

``demo_load()`` writes it into the database (``manage.py load_demo`` calls it). The content lives in
the ``lectures_*`` modules of this package as plain data, one dict per lecture::

    {"number": 2, "title": "Computation Graphs", "slug": "computation-graphs",
     "description": "Markdown", "questions": [question, ...]}

and one dict per question, in quiz order, whose keys are ``Question`` field names (``kind``,
``title``, ``prompt``, ``hint``, ``explanation`` and the grading fields of its kind; fields left out
take the model's default), plus for choice questions ``choices``: a list of
``(text, is_correct, feedback)`` tuples, and for text questions ``text_answers`` as a list (one
accepted answer or regular expression each). Prompts, hints, explanations and choice texts are
Markdown with LaTeX math; they are dedented with ``inspect.cleandoc``, so the data modules may
write them as indented triple-quoted strings.
"""

import inspect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from courses.models import Course, Enrolment, Lecture
from quizzes.demo import (
    computed,
    lectures_01_02,
    lectures_03_04,
    lectures_05_06,
    lectures_07_08,
    lectures_09_10,
    lectures_11_12,
)
from quizzes.kinds import REGISTRY, get_kind
from quizzes.models import Choice, Question, Quiz

COURSE_SLUG = "deep-learning"
COURSE = {
    "title": "Deep Learning",
    "term": "Winter 2026/27",
    "enrolment_code": "DEEP-2026",
    "enrolment_open": True,
    "description": inspect.cleandoc(
        """
        A master's lecture on the foundations of deep learning: computation graphs and
        backpropagation, multilayer perceptrons, losses and activations, regularization,
        optimization, convolutional and recurrent networks, natural language processing, graph
        neural networks, autoencoders and generative adversarial networks.

        Each week: watch the lecture video, then take the lecture's **self-check quiz**. Quizzes are
        for practice: unlimited tries, a hint after a wrong try, and a worked solution once you have
        it right (or give up). We discuss the quizzes in the weekly live session.
        """
    ),
}
# Weekly from 1 September 2026, so every lecture is released by the time the demo is used.
FIRST_RELEASE = date(2026, 9, 1)  # lecture n: n - 1 weeks later, at RELEASE_TIME
RELEASE_TIME = time(10, 0)
QUIZ_DESCRIPTION = (
    "A practice quiz to check your understanding of the lecture: unlimited tries, a hint after the "
    "first wrong try, and the worked solution after a correct answer."
)
INSTRUCTOR = ("instructor", "instructor-demo")
STUDENT = ("student", "student-demo")
STAFF_APPS = ("courses", "quizzes")

LECTURES = [
    *lectures_01_02.LECTURES,
    *lectures_03_04.LECTURES,
    *lectures_05_06.LECTURES,
    *lectures_07_08.LECTURES,
    *lectures_09_10.LECTURES,
    *lectures_11_12.LECTURES,
]

_MARKDOWN_FIELDS = ("prompt", "hint", "explanation")
_QUESTION_FIELDS = (
    "kind",
    "title",
    "prompt",
    "points",
    "hint",
    "explanation",
    "multiple_mode",
    "true_false_answer",
    "numeric_answer",
    "numeric_mode",
    "rtol",
    "atol",
    "digits",
    "text_answers",
    "text_mode",
    "generator",
    "generator_config",
)


@dataclass(frozen=True)
class DemoAccounts:
    """What ``demo_load`` made: the course and the demo logins as (username, password) pairs."""

    course_title: str
    course_code: str
    student: tuple[str, str]
    instructor: tuple[str, str]


@transaction.atomic
def demo_load() -> DemoAccounts:
    """Create or update the demo course, its lectures, quizzes and questions, and the demo users.

    Idempotent: objects are matched by natural keys (course slug; lecture number; quiz, question and
    choice position) and updated to the content, so a second run creates nothing and leaves every
    value as it was. Questions and choices beyond the content's positions are deleted only when no
    student has a variant of the question. The demo passwords are reset if someone changed them.
    """
    course, _ = Course.objects.update_or_create(slug=COURSE_SLUG, defaults=COURSE)
    for data in LECTURES:
        _lecture_load(course=course, data=data)

    instructor = _user_load(*INSTRUCTOR, is_staff=True, first_name="Demo", last_name="Instructor")
    instructor.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
    student = _user_load(*STUDENT, is_staff=False, first_name="Demo", last_name="Student")
    for user, role in ((instructor, Enrolment.Role.INSTRUCTOR), (student, Enrolment.Role.STUDENT)):
        Enrolment.objects.update_or_create(user=user, course=course, defaults={"role": role})

    return DemoAccounts(
        course_title=str(course), course_code=course.enrolment_code, student=STUDENT, instructor=INSTRUCTOR
    )


def release_date(number: int) -> datetime:
    """When lecture ``number`` is released: weekly from FIRST_RELEASE, in the site's time zone."""
    day = FIRST_RELEASE + timedelta(weeks=number - 1)
    return datetime.combine(day, RELEASE_TIME, tzinfo=timezone.get_default_timezone())


def _lecture_load(*, course: Course, data: dict) -> None:
    number = data["number"]
    lecture, _ = Lecture.objects.update_or_create(
        course=course,
        number=number,
        defaults={
            "title": data["title"],
            "slug": data["slug"],
            "description": inspect.cleandoc(data["description"]),
            "release_date": release_date(number),
        },
    )
    quiz, _ = Quiz.objects.update_or_create(
        lecture=lecture,
        position=1,
        defaults={
            "title": f"L{number:02d} {data['title']} — self-check",
            "description": QUIZ_DESCRIPTION,
            "mode": Quiz.Mode.PRACTICE,
            "is_published": True,
            "hint_after": 1,
        },
    )
    questions = data["questions"] + computed.COMPUTED.get(number, [])
    for position, question_data in enumerate(questions, start=1):
        _question_load(quiz=quiz, position=position, data=question_data)
    Question.objects.filter(quiz=quiz, position__gt=len(questions), variants__isnull=True).delete()


def _question_load(*, quiz: Quiz, position: int, data: dict) -> None:
    data = dict(data)
    choices = data.pop("choices", [])
    unknown = set(data) - set(_QUESTION_FIELDS)
    if unknown or data.get("kind") not in REGISTRY:
        raise ValueError(f"demo question {quiz.title} #{position}: unknown keys {unknown} or kind")
    if isinstance(data.get("text_answers"), list):
        data["text_answers"] = "\n".join(data["text_answers"])
    for name in _MARKDOWN_FIELDS:
        data[name] = inspect.cleandoc(data.get(name, ""))
    kind = get_kind(data["kind"])
    settings = {spec.name: data.pop(spec.name) for spec in kind.settings if spec.name in data}
    leftover = set(data) - {"kind", "title", "prompt", "points", "hint", "explanation"}
    if leftover:
        raise ValueError(f"demo question {quiz.title} #{position}: settings {leftover} do not fit {kind.slug}")
    defaults = {"title": "", "points": 1.0, "hint": "", "explanation": "", "prompt": "", **data,
                "settings": kind.clean_settings(settings)}
    question, _ = Question.objects.update_or_create(quiz=quiz, position=position, defaults=defaults)

    for choice_position, (text, is_correct, feedback) in enumerate(choices, start=1):
        Choice.objects.update_or_create(
            question=question,
            position=choice_position,
            defaults={
                "text": inspect.cleandoc(text),
                "is_correct": is_correct,
                "feedback": inspect.cleandoc(feedback),
            },
        )
    if not question.variants.exists():
        Choice.objects.filter(question=question, position__gt=len(choices)).delete()


def _user_load(username: str, password: str, *, is_staff: bool, first_name: str, last_name: str):
    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@example.com",
            "is_staff": is_staff,
            "is_superuser": False,
            "is_active": True,
        },
    )
    # Checked first so that an unchanged password keeps its hash (a new salt would be a change).
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
