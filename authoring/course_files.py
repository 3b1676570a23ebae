"""A course as files in git: the folder layout and each file's keys, read and written (no database).

    <course>/course.toml                    the course
    <course>/NN-<lecture slug>/lecture.toml    a lecture and its quizzes, each listing its questions by uid
    <course>/NN-<lecture slug>/<uid>.md        a question: TOML front matter between '+++' lines, the prompt below
    <course>/images/<name>                     an image questions show as ![alt](image:<name>)

Each file's keys are declared once, in ``authoring.file_keys``. ``read_course`` checks what the files say
(TOML, keys, types, file names, which quiz lists which question) and gives the values by model field;
``course_file_texts`` turns such values back into the files' text. Whether the values make a question
that can grade (the admin's rules) is for ``authoring.course_checks`` to say.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from authoring import file_keys
from authoring.file_keys import Table, read_table, tidy, write_table
from authoring.toml_format import FrontMatter, FrontMatterError, dumps, join_front_matter, split_front_matter
from quizzes.images import ImageRefused, image_checked
from quizzes.kinds import UnknownKind, get_kind

COURSE_FILE, LECTURE_FILE, QUESTION_SUFFIX = "course.toml", "lecture.toml", ".md"
IMAGES_FOLDER = "images"


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, shown as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Where:
    """A file that was read: its name as shown in messages, and where its keys are."""

    file: str
    matter: FrontMatter | None = None
    shift: int = 0  # key_line counts the front matter's first line as file line 2; a .toml file starts at 1

    def line(self, path: str | None = None) -> int:
        """The file line defining ``path`` ("points", "choices[1].text"), or 1."""
        found = self.matter.key_line(path) if path and self.matter else None
        return found + self.shift if found else 1

    def problem(self, path: str | None, message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


@dataclass
class QuestionFile:
    """``fields``: Question fields (settings as the file gives them); ``choices``: Choice fields per choice."""

    fields: dict
    choices: list[dict]
    where: Where = Where("")


@dataclass
class QuizTable:
    """``fields``: Quiz fields, plus ``questions``: the uids in quiz order; ``key``: "quizzes[i]" in lecture.toml."""

    fields: dict
    where: Where = Where("")
    key: str = ""


@dataclass
class LectureFolder:
    fields: dict
    quizzes: list[QuizTable]
    questions: dict[str, QuestionFile | None]  # by uid (the file name); None: a file that could not be read
    where: Where = Where("")

    @property
    def folder(self) -> str:
        return f"{self.fields['number']:02d}-{self.fields['slug']}"


@dataclass
class CourseFolder:
    fields: dict
    lectures: list[LectureFolder]
    where: Where = Where("")
    images: dict[str, bytes] = field(default_factory=dict)  # images/<name> -> its bytes (as read)


# --- Reading -------------------------------------------------------------------------------------------


def read_course(root: Path) -> tuple[CourseFolder | None, list[Problem]]:
    """The course in folder ``root`` and every problem found in its files (messages name ``root / file``).

    None when course.toml cannot be read. Checked here: TOML, unknown or missing keys, value types, a
    question file named for its uid, uids used once, every question file listed by exactly one quiz of its
    lecture, every listed uid backed by a file of that lecture's folder, and every file of ``images/`` an
    image we accept (``quizzes.images.image_checked``).
    """
    problems: list[Problem] = []
    course = None
    parsed = _read_toml(root / COURSE_FILE, problems)
    if parsed:
        data, where = parsed
        course = CourseFolder(_read_table(file_keys.COURSE, data, where, "", problems), [], where)
    folders = [p for p in sorted(root.iterdir())
               if p.is_dir() and not p.name.startswith((".", "_")) and p.name != IMAGES_FOLDER]
    for folder in folders:
        lecture = _read_lecture(folder, problems)
        if lecture and course:
            course.lectures.append(lecture)
    if course:
        course.lectures.sort(key=lambda lecture: lecture.fields.get("number") or 0)
        _check_names(course, problems)
        course.images = _read_images(root / IMAGES_FOLDER, problems)
    return course, problems


def _read_images(folder: Path, problems: list[Problem]) -> dict[str, bytes]:
    images = {}
    paths = sorted(folder.iterdir()) if folder.is_dir() else []
    for path in paths:
        if path.name.startswith("."):
            continue
        if not path.is_file():
            problems.append(Problem(str(path), 1, "images/ holds image files only, no folders"))
            continue
        data = path.read_bytes()
        try:
            image_checked(data, path.name)
        except ImageRefused as error:
            problems.append(Problem(str(path), 1, str(error)))
            continue
        images[path.name] = data
    return images


def _read_lecture(folder: Path, problems: list[Problem]) -> LectureFolder | None:
    question_paths = sorted(folder.glob("*" + QUESTION_SUFFIX))
    if not (folder / LECTURE_FILE).exists():
        if question_paths:
            problems.append(Problem(str(folder / LECTURE_FILE), 1, "no such file: a lecture folder needs one"))
        return None
    parsed = _read_toml(folder / LECTURE_FILE, problems)
    if parsed is None:
        return None
    data, where = parsed
    quiz_data = data.pop("quizzes", [])
    lecture = LectureFolder(_read_table(file_keys.LECTURE, data, where, "", problems), [], {}, where)
    if not isinstance(quiz_data, list) or not all(isinstance(quiz, dict) for quiz in quiz_data):
        problems.append(where.problem("quizzes", "quizzes must be [[quizzes]] tables"))
        quiz_data = []
    for index, quiz in enumerate(quiz_data):
        key = f"quizzes[{index}]"
        lecture.quizzes.append(QuizTable(_read_table(file_keys.QUIZ, quiz, where, key + ".", problems), where, key))
    for path in question_paths:
        question = _read_question(path, problems)
        lecture.questions[path.stem] = question  # None when unreadable: still counts as a file
    return lecture


def _read_toml(path: Path, problems: list[Problem]) -> tuple[dict, Where] | None:
    try:  # utf-8-sig: the byte-order mark some editors write is not content
        text = path.read_text(encoding="utf-8-sig")
        return tomllib.loads(text), Where(str(path), FrontMatter({}, "", 0, text), shift=-1)
    except FileNotFoundError:
        problems.append(Problem(str(path), 1, "no such file"))
    except UnicodeDecodeError:
        problems.append(Problem(str(path), 1, "not UTF-8 text"))
    except tomllib.TOMLDecodeError as error:  # its message says "(at line N, column M)" of the file
        line = int(error.args[0].rsplit("(at line ", 1)[-1].split(",")[0]) if "(at line " in str(error) else 1
        problems.append(Problem(str(path), line, f"invalid TOML: {error}"))
    return None


def _read_question(path: Path, problems: list[Problem]) -> QuestionFile | None:
    try:
        matter = split_front_matter(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(Problem(str(path), 1, "not UTF-8 text"))
        return None
    except FrontMatterError as error:
        problems.append(Problem(str(path), error.line, error.message))
        return None
    where = Where(str(path), matter)
    data = dict(matter.data)
    choices = data.pop("choices", [])
    fields = _read_table(file_keys.QUESTION_HEAD, data, where, "", problems, strict=False)
    fields |= _read_table(file_keys.QUESTION_TAIL, data, where, "", problems, strict=False)
    names = {key.name for key in file_keys.QUESTION_HEAD.keys + file_keys.QUESTION_TAIL.keys}
    settings = {name: value for name, value in data.items() if name not in names}
    try:  # unknown setting names are the kind's to report (with its list of settings)
        fields["settings"] = get_kind(fields["kind"]).from_file(settings)
    except UnknownKind:  # the checks report it
        fields["settings"] = settings
    fields["prompt"] = tidy(matter.body)
    if fields.get("uid") and fields["uid"] != path.stem:
        problems.append(where.problem("uid", f"the file of question “{fields['uid']}” must be named "
                                             f"{fields['uid']}{QUESTION_SUFFIX}, not {path.name}"))
    if not isinstance(choices, list) or not all(isinstance(choice, dict) for choice in choices):
        problems.append(where.problem("choices", "choices must be [[choices]] tables"))
        choices = []
    choices = [_read_table(file_keys.CHOICE, choice, where, f"choices[{i}].", problems)
               for i, choice in enumerate(choices)]
    return QuestionFile(fields, choices, where)


def _read_table(table: Table, data: dict, where: Where, prefix: str, problems: list[Problem],
                strict: bool = True) -> dict:
    fields, found = read_table(table, data, prefix, strict)
    problems += [where.problem(path, message) for path, message in found]
    return fields


def _check_names(course: CourseFolder, problems: list[Problem]) -> None:
    """Lecture numbers and slugs, quiz uids and question uids used once; each question listed once, in its lecture."""
    seen: dict[tuple[str, object], str] = {}

    def once(kind: str, value, where: Where, path: str, what: str) -> None:
        if value in (None, ""):
            return
        if (kind, value) in seen:
            problems.append(where.problem(path, f"{what} “{value}” is used twice: also in {seen[kind, value]}"))
        seen.setdefault((kind, value), where.file)

    homes = {uid: lecture.where.file for lecture in course.lectures for uid in lecture.questions}
    for lecture in course.lectures:
        once("number", lecture.fields["number"], lecture.where, "number", "lecture number")
        once("slug", lecture.fields["slug"], lecture.where, "slug", "lecture slug")
        for uid, question in lecture.questions.items():
            if question:
                once("question", uid, question.where, "uid", "question uid")
        listed: dict[str, str] = {}
        for quiz in lecture.quizzes:
            once("quiz", quiz.fields["uid"], quiz.where, f"{quiz.key}.uid", "quiz uid")
            for uid in quiz.fields["questions"]:
                path = f"{quiz.key}.questions"
                if uid in listed:
                    problems.append(quiz.where.problem(path, f"question “{uid}” is listed twice: also by quiz "
                                                              f"“{listed[uid]}”"))
                elif uid not in lecture.questions:
                    elsewhere = f" (it is in {Path(homes[uid]).parent.name}/: move it here)" if uid in homes else ""
                    problems.append(quiz.where.problem(path, f"no question file {uid}{QUESTION_SUFFIX} in this "
                                                              f"lecture's folder{elsewhere}"))
                listed.setdefault(uid, quiz.fields["uid"])
        for uid, question in lecture.questions.items():
            if question and uid not in listed:
                problems.append(question.where.problem(None, f"no quiz of {LECTURE_FILE} lists question “{uid}”: "
                                                             "add it to a quiz's questions"))


# --- Writing -------------------------------------------------------------------------------------------


def course_file_texts(course: CourseFolder) -> dict[str, str]:
    """Every file of ``course``: path relative to the course folder -> text."""
    texts = {COURSE_FILE: dumps(write_table(file_keys.COURSE, course.fields))}
    for lecture in course.lectures:
        data = write_table(file_keys.LECTURE, lecture.fields)
        data["quizzes"] = [write_table(file_keys.QUIZ, quiz.fields) for quiz in lecture.quizzes]
        texts[f"{lecture.folder}/{LECTURE_FILE}"] = dumps(data)
        for uid, question in lecture.questions.items():
            texts[f"{lecture.folder}/{uid}{QUESTION_SUFFIX}"] = question_file_text(question)
    return texts


def question_file_text(question: QuestionFile) -> str:
    """A question file: head keys, the kind's settings as the file gives them, tail keys, [[choices]], prompt."""
    data = write_table(file_keys.QUESTION_HEAD, question.fields)
    data |= question.fields["settings"]
    data |= write_table(file_keys.QUESTION_TAIL, question.fields)
    if question.choices:
        data["choices"] = [write_table(file_keys.CHOICE, choice) for choice in question.choices]
    return join_front_matter(data, tidy(question.fields["prompt"]))


def is_course_file(relative: Path) -> bool:
    """Whether a path relative to a course folder is one of the files this format writes."""
    if relative.parts[0].startswith((".", "_")):
        return False
    if len(relative.parts) == 1:
        return relative.name == COURSE_FILE
    if relative.parts[0] == IMAGES_FOLDER:
        return len(relative.parts) == 2 and not relative.name.startswith(".")
    return len(relative.parts) == 2 and (relative.name == LECTURE_FILE or relative.suffix == QUESTION_SUFFIX)


class FolderRefused(Exception):
    """The folder holds something other than an earlier export of this course: nothing was written."""


@dataclass(frozen=True)
class WriteReport:
    written: int  # files new or changed
    unchanged: int
    removed: tuple[str, ...]  # files of an earlier export that the course no longer has


def write_course_folder(texts: dict[str, str | bytes], root: Path, slug: str) -> WriteReport:
    """Write ``texts`` (``course_file_texts``, images as bytes) into ``root``, an empty or new folder or an
    earlier export of course ``slug``; files of the earlier export not written again are removed, and
    folders left empty. Raises FolderRefused for any other folder. Files are written only when they change."""
    _check_target(root, slug)
    written = unchanged = 0
    for relative, text in texts.items():
        path = root / relative
        data = text.encode() if isinstance(text, str) else text
        if path.exists() and path.read_bytes() == data:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    stale = sorted(path for path in root.glob("**/*") if path.is_file()
                   and is_course_file(path.relative_to(root)) and path.relative_to(root).as_posix() not in texts)
    for path in stale:
        path.unlink()
        if path.parent != root and not any(path.parent.iterdir()):
            path.parent.rmdir()
    return WriteReport(written, unchanged, tuple(path.relative_to(root).as_posix() for path in stale))


def _check_target(root: Path, slug: str) -> None:
    if root.exists() and not root.is_dir():
        raise FolderRefused(f"{root} is a file, not a folder")
    if not root.exists():
        return
    if (root / COURSE_FILE).is_file():
        try:
            found = tomllib.loads((root / COURSE_FILE).read_text(encoding="utf-8")).get("slug", slug)
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            found = slug  # an export's own file, broken: written again
        if found != slug:
            raise FolderRefused(f"{root} holds the course “{found}”, not “{slug}”: choose another folder")
    elif any(not path.name.startswith(".") for path in root.iterdir()):
        raise FolderRefused(f"{root} is not empty and has no {COURSE_FILE}, so it is no earlier export: "
                            "choose an empty or new folder")
