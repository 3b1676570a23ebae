"""Import a Moodle XML or GIFT file into a lecture: read, map, check with the admin's rules, then create.

Everything is checked before anything is written, and the writes share one transaction: a file with
any error imports nothing. Questions go to the quiz the ``--quiz`` title names, else the one their
Moodle category names (its last part), else the one named for the file; a quiz the lecture lacks is
created, unpublished. Each question gets a uid made from its name, unique in the course (``-2``,
``-3``, ... when taken), and is appended after the quiz's questions.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from authoring.course_sync import NOT_CLEANED
from authoring.interchange.gift import parse_gift
from authoring.interchange.imported import FileUnreadable, ImportedQuestion
from authoring.interchange.mapping import Mapped, Skipped, map_question
from authoring.interchange.moodle_xml import parse_moodle_xml
from courses.models import Lecture
from quizzes.models import Choice, Question, Quiz
from quizzes.question_validation import validate_choices

FORMATS = {".xml": "Moodle XML", ".gift": "GIFT", ".txt": "GIFT"}
UID_LENGTH = 60


class UnknownFormat(ValueError):
    """The file's extension names no format we read; the message lists the ones we do."""


@dataclass(frozen=True)
class Entry:
    """What became of one question of the file (or of the whole file, ``where`` = "file").

    ``status`` is "created" (``messages``: warnings on how it differs from Moodle), "skipped"
    (``messages``: the reason) or "error" (``messages``: the problems)."""

    where: str
    status: str
    title: str = ""
    quiz: str = ""
    uid: str = ""
    kind: str = ""
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or in a dry run or with errors would have done. Nothing was written unless
    ``written``."""

    file: str
    lecture: str
    entries: tuple[Entry, ...]
    new_quizzes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    dry_run: bool = False

    def of(self, status: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.status == status]

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.of("error")

    def lines(self) -> list[str]:
        """The report as text: created questions per quiz with their warnings, then skipped ones and errors."""
        created, skipped, errors = self.of("created"), self.of("skipped"), self.of("error")
        if errors:
            outcome = "nothing imported"
        elif self.dry_run:
            outcome = "dry run, nothing written"
        else:
            outcome = "imported"
        lines = [f"{self.file} into {self.lecture}: {outcome}. {len(created)} created, "
                 f"{len(skipped)} skipped, {len(errors)} with errors."]
        for quiz in dict.fromkeys(entry.quiz for entry in created):
            state = " (new, not published)" if quiz in self.new_quizzes else ""
            lines.append(f"Quiz “{quiz}”{state}:")
            for entry in created:
                if entry.quiz == quiz:
                    lines.append(f"  {entry.where}: {entry.kind} “{entry.title}” (uid {entry.uid})")
                    lines += [f"    warning: {message}" for message in entry.messages]
        if skipped:
            lines.append("Skipped:")
            lines += [f"  {entry.where}: {entry.messages[0]}" for entry in skipped]
        if errors:
            lines.append("Errors:")
            lines += [f"  {entry.where}: {message}" for entry in errors for message in entry.messages]
        return lines + list(self.notes)


@dataclass
class _Planned:
    question: Question
    choices: list[Choice] = field(default_factory=list)


@transaction.atomic
def questions_import(*, path: Path, lecture: Lecture, quiz_title: str = "", dry_run: bool = False) -> ImportReport:
    """Import the questions of the Moodle XML (``.xml``) or GIFT (``.gift``, ``.txt``) file ``path`` into
    ``lecture``; ``quiz_title`` puts them all in that quiz instead of their categories'.

    Never raises for the file's content: a file that cannot be read is one error entry, each question
    is created, skipped (a kind we do not have) or has errors, checked like the admin checks. With any
    error, or ``dry_run``, nothing is written. Raises UnknownFormat for another extension.
    """
    if path.suffix.lower() not in FORMATS:
        raise UnknownFormat(f"“{path.name}”: the extension names the format: {', '.join(FORMATS)}")
    report = {"file": path.name, "lecture": str(lecture), "dry_run": dry_run}
    try:
        imported = read_file(path)
    except FileUnreadable as error:
        return ImportReport(**report, entries=(Entry("file", "error", messages=(str(error),)),))
    quizzes = {quiz.title: quiz for quiz in lecture.quizzes.order_by("-position", "-id")}  # first one wins
    taken = set(Question.objects.filter(quiz__lecture__course=lecture.course_id).values_list("uid", flat=True))
    entries, planned = [], []
    for item in imported:
        title = (quiz_title or item.category or path.stem)[:200]
        if title not in quizzes:
            quizzes[title] = Quiz(lecture=lecture, title=title, is_published=False)
        entry, plan = plan_question(item, quizzes[title], taken)
        entries.append(entry)
        if plan:
            planned.append(plan)
    new = [quiz for quiz in quizzes.values() if quiz.pk is None and any(p.question.quiz is quiz for p in planned)]
    penalties = sorted({item.penalty for item in imported if item.penalty and not item.error})
    notes = [f"Moodle's penalty per wrong try ({', '.join(f'{p:.4g}' for p in penalties)}) is not imported: "
             "in graded mode, a quiz's try credits set what each try earns."] if penalties else []
    report = ImportReport(**report, entries=tuple(entries), new_quizzes=tuple(q.title for q in new), notes=tuple(notes))
    if report.written:
        save(lecture, new, planned)
    return report


def read_file(path: Path) -> list[ImportedQuestion]:
    """The file's questions in the format its extension names; raises FileUnreadable."""
    data = path.read_bytes()
    if path.suffix.lower() == ".xml":
        return parse_moodle_xml(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise FileUnreadable(f"line {line}: not UTF-8 text (save the file as UTF-8)") from None
    if "\x00" in text:  # the database refuses it in a text column
        raise FileUnreadable(f"line {text[:text.index(chr(0))].count(chr(10)) + 1}: a NUL character: not a text file")
    return parse_gift(text)


def plan_question(item: ImportedQuestion, quiz: Quiz, taken: set[str]) -> tuple[Entry, _Planned | None]:
    """The entry for ``item`` and, when it can be created, its unsaved question and choices (its uid is
    added to ``taken``)."""
    if item.error:
        return Entry(item.where, "error", item.name, messages=(item.error,)), None
    try:
        mapped = map_question(item)
    except Skipped as reason:
        return Entry(item.where, "skipped", item.name, messages=(str(reason),)), None
    except ValueError as error:
        return Entry(item.where, "error", item.name, messages=(str(error),)), None
    uid = unique_uid(mapped.title, taken)
    question = Question(quiz=quiz, uid=uid, kind=mapped.kind, title=mapped.title, prompt=mapped.prompt,
                        points=mapped.points, hint=mapped.hint, explanation=mapped.explanation,
                        settings=mapped.settings)
    choices = [Choice(position=n, text=text, is_correct=correct, feedback=feedback)
               for n, (text, correct, feedback) in enumerate(mapped.choices, start=1)]
    problems = question_problems(question, mapped)
    if problems:
        return Entry(item.where, "error", mapped.title, quiz.title, messages=tuple(problems)), None
    taken.add(uid)
    entry = Entry(item.where, "created", mapped.title, quiz.title, uid, mapped.kind, tuple(mapped.warnings))
    return entry, _Planned(question, choices)


def question_problems(question: Question, mapped: Mapped) -> list[str]:
    """The admin's and the course import's messages for ``question`` and its choices, as "name: message"."""
    problems = []
    try:
        question.full_clean(exclude=NOT_CLEANED[Question])
    except ValidationError as error:
        problems += [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
    try:
        validate_choices(question.kind, [(text, correct) for text, correct, _ in mapped.choices])
    except ValidationError as error:
        problems += [f"choices: {message}" for message in error.messages]
    return problems


def unique_uid(title: str, taken: set[str]) -> str:
    """The title as a slug, with ``-2``, ``-3``, ... when ``taken`` has it."""
    base = slugify(title)[:UID_LENGTH].strip("-") or "question"
    uid, number = base, 1
    while uid in taken:
        number += 1
        uid = f"{base}-{number}"
    return uid


def save(lecture: Lecture, new_quizzes: list[Quiz], planned: list[_Planned]) -> None:
    """Create the new quizzes after the lecture's, then each question after its quiz's, with its choices."""
    position = lecture.quizzes.aggregate(last=Max("position"))["last"] or 0
    for quiz in new_quizzes:
        position += 1
        quiz.position = position
        quiz.save()
    last: dict[int, int] = {}
    for plan in planned:
        quiz = plan.question.quiz
        if quiz.pk not in last:
            last[quiz.pk] = quiz.questions.aggregate(last=Max("position"))["last"] or 0
        last[quiz.pk] += 1
        plan.question.quiz = quiz  # sets quiz_id now that the quiz is saved
        plan.question.position = last[quiz.pk]
        plan.question.save()
        for choice in plan.choices:
            choice.question = plan.question
            choice.save()
