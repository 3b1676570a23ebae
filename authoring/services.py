"""Workflows of course files: import a course folder into the database, export a course into one.

The format is documented in docs/authoring.md; ``authoring.course_files`` reads and writes it,
``authoring.course_sync`` matches it to the database.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch

from authoring import file_keys
from authoring.course_files import (
    IMAGES_FOLDER,
    CourseFolder,
    LectureFolder,
    Problem,
    QuestionFile,
    QuizTable,
    WriteReport,
    course_file_texts,
    read_course,
    write_course_folder,
)
from authoring.course_sync import sync_apply, sync_plan, sync_problems
from courses.models import Course
from quizzes.images import image_store
from quizzes.models import Question, Quiz


class CourseFilesInvalid(Exception):
    """The course's files have problems, so nothing was imported; ``problems`` in file and line order."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem{'s' * (len(problems) != 1)} in the course's files")
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, in a dry run, would do) to the course's questions."""

    course: str  # the course's slug
    created: int
    updated: int  # changed, moved, or back from the archive
    unchanged: int
    archived: int  # no longer in the files, answered by students: hidden, kept for statistics
    deleted: int  # no longer in the files, never answered
    notes: tuple[str, ...] = ()  # quizzes and lectures no longer in the files
    dry_run: bool = False

    @property
    def summary(self) -> str:
        return (f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
                f"archived {self.archived}, deleted {self.deleted}")


@transaction.atomic
def course_import(*, path: Path, dry_run: bool = False) -> ImportReport:
    """Create or update the course in folder ``path`` and everything in it, matched by slug, lecture number
    and uid; questions the files no longer have are archived when answered, else deleted.

    Every file is read and every lecture, quiz, question and choice checked with the admin's rules first;
    any problem raises CourseFilesInvalid listing them all, and nothing is written. Idempotent: a second
    import of the same files changes nothing. ``dry_run``: check and count, write nothing.

    The images of ``images/`` are stored when new or changed (by content hash); questions may show them
    and the course's stored images. Images the folder no longer has are kept: archived questions and
    cached pages may still show them.
    """
    if not path.is_dir():
        raise CourseFilesInvalid([Problem(str(path), 1, "no such folder")])
    folder, problems = read_course(path)
    if folder is None or problems:
        raise CourseFilesInvalid(sorted(problems, key=lambda p: (p.file, p.line)))
    plan = sync_plan(folder)
    course = plan.course.instance
    stored = set(course.images.values_list("name", flat=True)) if course.pk else set()
    names = frozenset(stored | set(folder.images))
    for row in plan.questions:  # checked against the folder's images, stored below
        row.instance.image_names_override = names
    problems = sync_problems(plan)
    if problems:
        raise CourseFilesInvalid(sorted(problems, key=lambda p: (p.file, p.line)))
    images = []
    if not dry_run:
        sync_apply(plan)
        for name, data in folder.images.items():
            status = image_store(course=course, name=name, data=data)[1]
            if status != "unchanged":
                images.append(f"image “{name}” {status}")
    rows = plan.questions
    return ImportReport(
        course=plan.course.instance.slug,
        created=sum(row.created for row in rows),
        updated=sum(row.changed and not row.created for row in rows),
        unchanged=sum(not row.changed for row in rows),
        archived=len(plan.archive),
        deleted=len(plan.delete),
        notes=tuple(plan.notes() + images),
        dry_run=dry_run,
    )


def course_export(*, course: Course, path: Path) -> WriteReport:
    """Write ``course`` into folder ``path`` (empty, new, or an earlier export of it), archived questions
    left out. Deterministic: the same course gives the same bytes, and exporting what an import of an
    export made gives that export again. Raises ``course_files.FolderRefused`` for any other folder."""
    images = {f"{IMAGES_FOLDER}/{image.name}": _image_bytes(image) for image in course.images.order_by("name")}
    return write_course_folder(course_file_texts(course_folder(course)) | images, path, course.slug)


def _image_bytes(image) -> bytes:
    with image.file.open("rb") as file:
        return file.read()


def course_folder(course: Course) -> CourseFolder:
    """``course`` as the values its files hold (4 queries)."""
    questions = Question.objects.filter(is_archived=False).order_by("position", "id").prefetch_related("choices")
    lectures = course.lectures.order_by("number").prefetch_related(
        Prefetch("quizzes", Quiz.objects.order_by("position", "id").prefetch_related(
            Prefetch("questions", questions))))
    folder = CourseFolder(_fields(file_keys.COURSE, course), [])
    for lecture in lectures:
        quizzes, files = [], {}
        for quiz in lecture.quizzes.all():
            uids = [question.uid for question in quiz.questions.all()]
            quizzes.append(QuizTable({**_fields(file_keys.QUIZ, quiz), "questions": uids}))
            files |= {question.uid: _question_file(question) for question in quiz.questions.all()}
        folder.lectures.append(LectureFolder(_fields(file_keys.LECTURE, lecture), quizzes, files))
    return folder


def _question_file(question: Question) -> QuestionFile:
    fields = _fields(file_keys.QUESTION_HEAD, question) | _fields(file_keys.QUESTION_TAIL, question)
    fields |= {"prompt": question.prompt, "settings": question.kind_spec.to_file(question)}
    return QuestionFile(fields, [_fields(file_keys.CHOICE, choice) for choice in question.choices.all()])


def _fields(table: file_keys.Table, instance) -> dict:
    return {key.field: getattr(instance, key.field) for key in table.keys if key.field != "questions"}
