"""The neutral form both parsers produce: Moodle's model of a question, before it is mapped onto our kinds.

Moodle XML and GIFT describe the same questions (GIFT is a shorthand for Moodle's question bank), so
the parsers only read syntax, and ``authoring.interchange.mapping`` decides once what each Moodle
construct becomes here. Texts are already Markdown (``authoring.interchange.markup``). Exports go the
other way through the same form: ``authoring.interchange.exporting`` fills it (texts then HTML) and the
writers (``write_moodle_xml``, ``write_gift``) write it.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answer:
    """One of a Moodle question's answers.

    ``fraction`` is Moodle's grade for it: 1.0 full marks, 0.5 half, 0 none, negative a penalty.
    ``text`` is Markdown for choices, the accepted text for short answers and the number as written
    for numerical answers (``tolerance``: Moodle's absolute tolerance around it).
    """

    text: str
    fraction: float
    feedback: str = ""
    tolerance: float = 0.0
    tolerance_type: int = 2  # calculated: Moodle's tolerancetype, 1 relative, 2 nominal (absolute), 3 geometric
    length: int | None = None  # calculated: correctanswerlength (decimals or significant figures shown)
    length_format: int = 1  # calculated: correctanswerformat, 1 decimals, 2 significant figures


@dataclass(frozen=True)
class EmbeddedFile:
    """A file a question's texts show as an image, carried by the Moodle XML file (base64 ``<file>``).

    ``name`` is how the texts reference it: ``![alt](image:NAME)`` in the Markdown of an import (the
    file's name made a valid image name, ``markup.plugin_file_name``), ``@@PLUGINFILE@@/NAME`` in the
    HTML of an export (a course image's name). ``path`` is Moodle's path and name of the file
    (``sub/my plot.png``), for messages. ``data`` is None when the question lacks the file or it is broken
    (``ImportedQuestion.file_problems`` says which).
    """

    name: str
    data: bytes | None
    path: str = ""


@dataclass
class ImportedQuestion:
    """One question (or a reason it cannot be read) with its place in the file.

    ``qtype`` is Moodle's type name (``multichoice``, ``truefalse``, ``shortanswer``, ``numerical``,
    ``description``, ``essay``, ``matching``, ...). ``error`` is set when the question's own syntax is
    broken; the rest is then incomplete. ``notes`` are what the parser dropped (units, images GIFT
    cannot carry). ``files`` are the images its texts show (``EmbeddedFile``); ``file_problems`` say
    which image could not be read (a file the text shows but the question lacks, broken base64).
    """

    where: str  # "line 12" (GIFT) or "question 3 “Name”" (XML)
    qtype: str
    name: str = ""
    text: str = ""
    category: str = ""  # the last part of the Moodle category in force ("" when none)
    answers: list[Answer] = field(default_factory=list)
    single: bool = True  # multichoice: one pick (radio buttons) or several
    usecase: bool = False  # shortanswer: case matters
    general_feedback: str = ""
    hint: str = ""
    points: float | None = None  # Moodle's default grade (None: not given)
    penalty: float | None = None  # Moodle's penalty per wrong try (reported, not imported)
    datasets: dict = field(default_factory=dict)  # calculated: wildcard -> {"min", "max", "decimals", "distribution"}
    dataset_items: dict[str, list[str]] = field(default_factory=dict)  # calculated, export: wildcard -> its values
    files: list[EmbeddedFile] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    blanks: list = field(default_factory=list)  # cloze: its ``cloze.Blank``s; the text shows ``{#N}`` for blank N


def category_title(path: str) -> str:
    """The quiz title a Moodle category path names: its last part (``$course$/top/Week 3/Basics`` ->
    ``Basics``); "" for the top category or an empty path."""
    parts = [part.strip() for part in path.replace("//", "\x00").split("/")]
    parts = [part.replace("\x00", "/") for part in parts if part]
    if not parts or parts[-1] in ("top", "$course$", "$system$", "$module$", "$coursecategory$"):
        return ""
    return parts[-1]


class FileUnreadable(ValueError):
    """The whole file cannot be read (not UTF-8, not well-formed XML, a DOCTYPE); the message says
    where and why, for the author."""
