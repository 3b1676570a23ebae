"""Import a Moodle XML or GIFT file into a lecture: read, map, check with the admin's rules, then create or
update; and export a course's questions as Moodle XML or GIFT.

Everything is checked before anything is written, and the writes share one transaction: a file with
any error imports nothing. Questions go to the quiz the ``--quiz`` title names, else the one their
Moodle category names (its last part), else the one named for the file; a quiz the lecture lacks is
created, unpublished. Each question gets a uid made from its name (a slug); when its quiz already has a
question with that uid (or its numbered form ``-2``, ``-3``, ... from an earlier import), that question is
updated in place (its choices by position) or reported unchanged; otherwise the question gets the uid,
numbered when the course has it, and is appended after the quiz's questions. Nothing else is touched.

Images a Moodle XML question carries (base64 ``<file>``) are checked as uploads are and stored as course
images, named for the question (``authoring.interchange.embedded``); a file that cannot be stored is an
error of its question. A dry run stores nothing.
"""

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from authoring.course_sync import NOT_CLEANED, assign
from authoring.interchange.embedded import ExportImages, PlannedImage, images_planned, references_renamed
from authoring.interchange.exporting import NotExportable, to_moodle
from authoring.interchange.gift import parse_gift, write_gift
from authoring.interchange.imported import FileUnreadable, ImportedQuestion
from authoring.interchange.mapping import Mapped, Skipped, map_question
from authoring.interchange.moodle_xml import parse_moodle_xml, write_moodle_xml
from courses.models import Course, Lecture
from quizzes.images import image_store
from quizzes.kinds import UnknownKind
from quizzes.kinds.base import SettingsError
from quizzes.models import Choice, Question, QuestionImage, Quiz, Submission
from quizzes.question_validation import validate_choices
from quizzes.questions import question_save

FORMATS = {".xml": "Moodle XML", ".gift": "GIFT", ".txt": "GIFT"}
UID_LENGTH = 60


class UnknownFormat(ValueError):
    """The file's extension names no format we read; the message lists the ones we do."""


@dataclass(frozen=True)
class Entry:
    """What became of one question of the file (or of the whole file, ``where`` = "file").

    ``status`` is "created", "updated" or "unchanged" (``messages``: warnings on how it differs from
    Moodle, and for an update of an answered question that its grading changed), "skipped"
    (``messages``: the reason) or "error" (``messages``: the problems). ``images``: the course images its
    files become, (name, "new" | "replaced" | "unchanged"); "updated" when one is new or replaced."""

    where: str
    status: str
    title: str = ""
    quiz: str = ""
    uid: str = ""
    kind: str = ""
    messages: tuple[str, ...] = ()
    images: tuple[tuple[str, str], ...] = ()


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
        skipped, errors = self.of("skipped"), self.of("error")
        kept = [entry for entry in self.entries if entry.status in ("created", "updated", "unchanged")]
        if errors:
            outcome = "nothing imported"
        elif self.dry_run:
            outcome = "dry run, nothing written"
        else:
            outcome = "imported"
        counts = ", ".join(f"{len(self.of(status))} {status}" for status in ("created", "updated", "unchanged")
                           if status == "created" or self.of(status))
        lines = [f"{self.file} into {self.lecture}: {outcome}. {counts}, "
                 f"{len(skipped)} skipped, {len(errors)} with errors."]
        for quiz in dict.fromkeys(entry.quiz for entry in kept):
            state = " (new, not published)" if quiz in self.new_quizzes else ""
            lines.append(f"Quiz “{quiz}”{state}:")
            for entry in kept:
                if entry.quiz == quiz:
                    done = "" if entry.status == "created" else f" {entry.status}"
                    lines.append(f"  {entry.where}: {entry.kind} “{entry.title}” (uid {entry.uid}){done}")
                    lines += [f"    image “{name}”: {status}" for name, status in entry.images if status != "unchanged"]
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
    surplus: list[Choice] = field(default_factory=list)  # an updated question's choices beyond the file's
    changed: bool = True
    images: list[PlannedImage] = field(default_factory=list)  # stored before the question


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
    existing = {question.uid: question for question in Question.objects.filter(
        quiz__in=[quiz.pk for quiz in quizzes.values()]).select_related("quiz").prefetch_related("choices")}
    images = dict(QuestionImage.objects.filter(course=lecture.course_id).values_list("name", "sha256"))
    entries, planned = [], []
    for item in imported:
        title = (quiz_title or item.category or path.stem)[:200]
        if title not in quizzes:
            quizzes[title] = Quiz(lecture=lecture, title=title, is_published=False)
        entry, plan = plan_question(item, quizzes[title], taken, existing, images)
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


def plan_question(item: ImportedQuestion, quiz: Quiz, taken: set[str], existing: dict[str, Question],
                  images: dict[str, str]) -> tuple[Entry, _Planned | None]:
    """The entry for ``item`` and, when it can be saved, its question and choices with the file's values
    assigned: the matching question of ``quiz`` in ``existing`` (removed from it, so a second question of
    the same name matches the next one), else a new one whose uid is added to ``taken``. ``images``: the
    course's images, name -> sha256, to which the images the question's files become are added
    (``embedded.images_planned``)."""
    if item.error:
        return Entry(item.where, "error", item.name, messages=(item.error,)), None
    try:
        mapped = map_question(item)
    except Skipped as reason:
        return Entry(item.where, "skipped", item.name, messages=(str(reason),)), None
    except ValueError as error:
        return Entry(item.where, "error", item.name, messages=(str(error),)), None
    question = matching_question(mapped.title, quiz, existing)
    if question is None:
        question, saved, grading_before = Question(quiz=quiz, uid=unique_uid(mapped.title, taken)), [], None
    else:
        saved = sorted(question.choices.all(), key=lambda choice: (choice.position, choice.id))
        grading_before = grading_of(question, saved)
    files = images_planned(item, question.uid, images)
    references_renamed(mapped, files.renames)
    question.image_names_override = frozenset(images) | files.unresolved  # those are reported below
    changed = assign(question, {"kind": mapped.kind, "title": mapped.title, "prompt": mapped.prompt,
                                "points": mapped.points, "hint": mapped.hint, "explanation": mapped.explanation,
                                "settings": cleaned_settings(mapped)})
    choices = []
    for position, (text, correct, feedback, fraction) in enumerate(mapped.choices, start=1):
        choice = saved[position - 1] if position <= len(saved) else Choice()
        changed |= assign(choice, {"position": position, "text": text, "is_correct": correct, "feedback": feedback,
                                   "fraction": fraction})
        choices.append(choice)
    surplus = saved[len(choices):]
    changed |= bool(surplus)
    problems = files.problems + question_problems(question, mapped)
    if problems:
        return Entry(item.where, "error", mapped.title, quiz.title, messages=tuple(problems)), None
    stored = tuple((image.name, image.status) for image in files.images)
    warnings = list(mapped.warnings)
    if grading_before is None:
        status = "created"
        taken.add(question.uid)
    else:
        status = "updated" if changed or any(image_status != "unchanged" for _, image_status in stored) else "unchanged"
        if grading_before != grading_of(question, choices) and answered(question):
            warnings.append("students have answered this question and its grading changed: their submissions "
                            "keep the grades they got (regrading is not done here)")
    entry = Entry(item.where, status, mapped.title, quiz.title, question.uid, mapped.kind, tuple(warnings), stored)
    return entry, _Planned(question, choices, surplus, changed, files.images)


def matching_question(title: str, quiz: Quiz, existing: dict[str, Question]) -> Question | None:
    """The question of ``quiz`` an earlier import of ``title`` made: uid the title's slug, or that slug
    numbered (``-2``, ``-3``, ...), lowest first; taken out of ``existing``."""
    base = slugify(title)[:UID_LENGTH].strip("-") or "question"
    numbered = re.compile(rf"{re.escape(base)}(?:-(\d+))?")
    candidates = sorted(
        (int(match.group(1) or 1), uid) for uid, question in existing.items()
        if quiz.pk is not None and question.quiz_id == quiz.pk and (match := numbered.fullmatch(uid)))
    return existing.pop(candidates[0][1]) if candidates else None


def cleaned_settings(mapped: Mapped) -> dict:
    """The mapped settings in their stored form (defaults filled in), so an unchanged question compares equal;
    as they are when they do not clean (the checks then report them)."""
    try:
        return Question(kind=mapped.kind).kind_spec.clean_settings(mapped.settings)
    except (SettingsError, UnknownKind):
        return mapped.settings


def grading_of(question: Question, choices: list[Choice]) -> tuple:
    """What decides a question's grades: kind, settings, which choices are correct and their fractions."""
    return question.kind, question.settings, [(choice.is_correct, choice.fraction) for choice in choices]


def answered(question: Question) -> bool:
    return Submission.objects.filter(variant__question=question).exists()


def question_problems(question: Question, mapped: Mapped) -> list[str]:
    """The admin's and the course import's messages for ``question`` and its choices, as "name: message"."""
    problems = []
    try:
        question.full_clean(exclude=NOT_CLEANED[Question])
    except ValidationError as error:
        problems += [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
    try:
        validate_choices(question.kind, [(text, correct, fraction) for text, correct, _, fraction in mapped.choices],
                         question.settings)
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
    """Store the questions' images, create the new quizzes after the lecture's, then each question after its
    quiz's, with its choices."""
    for plan in planned:
        for image in plan.images:
            image_store(course=lecture.course, name=image.name, data=image.data)
    position = lecture.quizzes.aggregate(last=Max("position"))["last"] or 0
    for quiz in new_quizzes:
        position += 1
        quiz.position = position
        quiz.save()
    last: dict[int, int] = {}
    for plan in planned:
        if plan.question.pk is not None:
            if plan.changed:  # its place unchanged; answered and changed: a new version
                question_save(question=plan.question, choices=plan.choices, surplus=plan.surplus)
            continue
        quiz = plan.question.quiz
        if quiz.pk not in last:
            last[quiz.pk] = quiz.questions.aggregate(last=Max("position"))["last"] or 0
        last[quiz.pk] += 1
        plan.question.quiz = quiz  # sets quiz_id now that the quiz is saved
        plan.question.position = last[quiz.pk]
        question_save(question=plan.question, choices=plan.choices)


# --- export -----------------------------------------------------------------------------------------

EXPORT_FORMATS = ("moodle", "gift")


@dataclass(frozen=True)
class ExportEntry:
    """What became of one question: "exported" (``messages``: none), "converted" (``messages``: how it
    differs in Moodle) or "not exportable" (``messages``: the reason)."""

    uid: str
    status: str
    title: str
    quiz: str
    kind: str
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportReport:
    """The file's content and what became of each question."""

    content: bytes
    entries: tuple[ExportEntry, ...]
    file_format: str

    def of(self, status: str) -> list[ExportEntry]:
        return [entry for entry in self.entries if entry.status == status]

    def lines(self) -> list[str]:
        """Exported questions, then the converted ones with their warnings, then those not exportable."""
        exported, converted, refused = self.of("exported"), self.of("converted"), self.of("not exportable")
        name = "Moodle XML" if self.file_format == "moodle" else "GIFT"
        lines = [f"{name}: {len(exported) + len(converted)} questions exported ({len(converted)} converted with "
                 f"warnings), {len(refused)} not exportable."]
        for title, entries in (("Exported:", exported), ("Converted with warnings:", converted),
                               ("Not exportable:", refused)):
            if entries:
                lines.append(title)
            for entry in entries:
                lines.append(f"  {entry.quiz}: {entry.kind} “{entry.title}” (uid {entry.uid})")
                lines += [f"    {message}" for message in entry.messages]
        return lines


def category_path(lecture: Lecture, quiz: Quiz) -> str:
    """Moodle's category for a quiz: ``$course$/top/<lecture title>/<quiz title>`` (a ``/`` in a title doubled)."""
    return "/".join(["$course$", "top", *(title.replace("/", "//") for title in (lecture.title, quiz.title))])


def questions_export(*, course: Course, file_format: str, lecture_number: int | None = None) -> ExportReport:
    """The questions of ``course`` (of one lecture with ``lecture_number``), archived ones left out, as a
    Moodle XML (``file_format`` "moodle") or GIFT ("gift") file, one category per quiz; reads only.
    Computed questions solve one variant (imports torch). The course images a question shows go into the
    Moodle XML as its files; GIFT cannot carry files, so there they stay references to files Moodle will
    not have (a warning says so)."""
    if file_format not in EXPORT_FORMATS:
        raise UnknownFormat(f"format “{file_format}”: use {' or '.join(EXPORT_FORMATS)}")
    lectures = course.lectures.order_by("number")
    if lecture_number is not None:
        lectures = lectures.filter(number=lecture_number)
    categories, entries = [], []
    images = ExportImages(course)
    for lecture in lectures:
        for quiz in lecture.quizzes.order_by("position", "id"):
            questions = []
            for question in quiz.questions.filter(is_archived=False).order_by("position", "id").prefetch_related(
                    "choices"):
                common = {"uid": question.uid, "title": str(question), "quiz": quiz.title, "kind": question.kind}
                try:
                    exported = to_moodle(question, file_format=file_format)
                except NotExportable as reason:
                    entries.append(ExportEntry(status="not exportable", messages=(str(reason),), **common))
                    continue
                exported.question.files, missing = images.files(exported.images)
                exported.warnings += missing
                if file_format == "gift" and exported.question.files:
                    exported.warnings.append(gift_images_warning([file.name for file in exported.question.files]))
                questions.append(exported)
                entries.append(ExportEntry(status="converted" if exported.warnings else "exported",
                                           messages=tuple(exported.warnings), **common))
            if questions:
                categories.append((category_path(lecture, quiz), questions))
    moodle = [(path, [exported.question for exported in questions]) for path, questions in categories]
    if file_format == "moodle":
        content = write_moodle_xml(moodle)
    else:
        text, lost = write_gift(moodle)
        content = text.encode("utf-8")
        entries = [replace(entry, status="converted", messages=entry.messages + tuple(lost[entry.uid]))
                   if entry.uid in lost else entry for entry in entries]
    return ExportReport(content, tuple(entries), file_format)


def gift_images_warning(names: list[str]) -> str:
    """What a GIFT export does with the images ``names`` a question shows: written as references to Moodle's
    files, without the files (GIFT cannot carry them)."""
    shown = ", ".join(f"“{name}”" for name in names)
    if len(names) == 1:
        return (f"GIFT cannot carry files: the image {shown} is written as <img src=\"@@PLUGINFILE@@/…\"> without "
                "its file, so Moodle shows its text instead (Moodle XML carries the image)")
    return (f"GIFT cannot carry files: the images {shown} are written as <img src=\"@@PLUGINFILE@@/…\"> without "
            "their files, so Moodle shows their text instead (Moodle XML carries the images)")
