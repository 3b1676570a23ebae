"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format) read into ``ImportedQuestion``s.

The file is untrusted, so it is parsed with expat directly and refused at the first DOCTYPE or
entity declaration: no entity expansion (billion laughs), no external entities. (``defusedxml``
would do the same; it is not a dependency of ours.) A file that is not well-formed XML raises
``FileUnreadable`` naming its line and column; a question whose values are broken (a fraction that
is no number) gets ``error`` and the rest of the file is still read.

Read per ``<question type="…">``: ``name``, ``questiontext`` (its ``format``), ``generalfeedback``,
``defaultgrade``, ``penalty``, the first ``hint``, ``answer`` (``fraction``, ``text``, ``feedback``,
``tolerance``), ``single``, ``usecase`` and ``units``. ``<question type="category">`` sets the
category of the questions after it. ``<question type="cloze">``: its blanks (``authoring.interchange.cloze``)
as ``blanks``, the question text showing ``{#N}`` where blank N stood.

Files: a text's images of the question's own files (``<img src="@@PLUGINFILE@@/plot.png">``) become
``![alt](image:plot.png)`` (``authoring.interchange.markup``) and the base64 ``<file name=… path=…>``
of any of the question's texts each image names an ``EmbeddedFile``; an image whose file is missing,
not base64, or given twice with different bytes is a ``file_problems`` entry. Whether the bytes are an
image we keep is for the caller (``authoring.interchange.embedded``): this module reads syntax only.
The writer puts the files a text shows into that text's element, as Moodle's import expects, and
writes a calculated or calculatedsimple question's tolerance type and answer length per answer and
its ``<dataset_definitions>`` with the values Moodle draws from (``dataset_items``).
"""

import base64
import binascii
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from urllib.parse import unquote
from xml.parsers import expat

from authoring.interchange.cloze import blanks_in
from authoring.interchange.imported import Answer, EmbeddedFile, FileUnreadable, ImportedQuestion, category_title
from authoring.interchange.markup import FORMATS, to_markdown

FILE_REFERENCE = re.compile(r"@@PLUGINFILE@@/([^\s\"'<>?#]+)")


class _Refused(Exception):
    """Raised from inside expat's handlers: the declaration at the parser's position is not allowed."""


def parse_moodle_xml(data: bytes) -> list[ImportedQuestion]:
    """Every question of a Moodle XML file in file order (categories applied, numbered from 1 without
    them); raises FileUnreadable for a file that is not a well-formed ``<quiz>`` without a DOCTYPE."""
    root = safe_parse(data)
    if root.tag != "quiz":
        raise FileUnreadable(f"the root element is <{root.tag}>, not <quiz>: not a Moodle XML question file")
    questions, category = [], ""
    for element in root.iter("question"):
        qtype = element.get("type", "")
        if qtype == "category":
            category = category_title(text_of(element, "category"))
            continue
        name = text_of(element, "name").strip()
        question = ImportedQuestion(where=f"question {len(questions) + 1} “{name}”", qtype=qtype, name=name,
                                    category=category)
        try:
            read_question(element, question)
        except ValueError as error:
            question.error = str(error)
        questions.append(question)
    return questions


def safe_parse(data: bytes) -> etree.Element:
    """The element tree of ``data``; raises FileUnreadable for XML that is not well-formed or declares a
    DOCTYPE, entities or external references."""
    builder = etree.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(*_args):
        raise _Refused("a DOCTYPE or entity declaration, which question files do not need and which is refused "
                       "(entity expansion)")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except _Refused as error:
        raise FileUnreadable(f"line {parser.CurrentLineNumber}: {error}") from None
    except expat.ExpatError as error:
        message = expat.errors.messages.get(error.code, str(error))
        where = f"line {error.lineno}, column {error.offset + 1}"
        raise FileUnreadable(f"{where}: not well-formed XML: {message}") from None
    return builder.close()


def text_of(element: etree.Element, path: str) -> str:
    """The ``<text>`` under ``path`` ("" when absent)."""
    found = element.find(f"{path}/text")
    return (found.text or "") if found is not None else ""


def number_of(element: etree.Element, path: str, default: float | None = None) -> float | None:
    """The number in ``path`` (an attribute ``@name`` of ``element`` or a child's text); ValueError naming it."""
    raw = element.get(path[1:]) if path.startswith("@") else element.findtext(path)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{path.lstrip('@')} “{raw.strip()}” is not a number") from None


def markdown_of(element: etree.Element | None, question: ImportedQuestion, files: dict[str, str],
                default_format: str = "html") -> str:
    """The ``<text>`` of ``element`` as Markdown, in the element's ``format``; notes go to ``question``,
    the files its images show to ``files`` (image name -> Moodle's path)."""
    if element is None:
        return ""
    text_format = element.get("format", default_format)
    converted, notes = to_markdown(element.findtext("text") or "",
                                   text_format if text_format in FORMATS else "html", files)
    question.notes.extend(notes)
    return converted


def read_question(element: etree.Element, question: ImportedQuestion) -> None:
    """Fill ``question`` from its ``<question>`` element; raises ValueError for a broken value."""
    shown: dict[str, str] = {}  # image name in the Markdown -> Moodle's path of its file

    def markdown(found: etree.Element | None) -> str:
        return markdown_of(found, question, shown)

    if question.qtype == "cloze":
        read_cloze(element, question, shown)
    question.text = markdown(element.find("questiontext"))
    question.general_feedback = markdown(element.find("generalfeedback"))
    question.hint = markdown(element.find("hint"))
    question.points = number_of(element, "defaultgrade")
    question.penalty = number_of(element, "penalty")
    question.single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
    question.usecase = (element.findtext("usecase") or "0").strip().lower() in ("true", "1")
    units = [unit.findtext("unit_name") or "" for unit in element.iter("unit")]
    if any(units):
        question.notes.append(f"units ({', '.join(unit for unit in units if unit)}) ignored: answers are plain numbers")
    for answer in element.findall("answer"):
        fraction = number_of(answer, "@fraction", 0.0) / 100
        feedback = markdown(answer.find("feedback"))
        if question.qtype == "multichoice":
            text = markdown(answer)
        else:
            text = (answer.findtext("text") or "").strip()
        question.answers.append(Answer(text, fraction, feedback, abs(number_of(answer, "tolerance", 0.0))))
    if question.qtype in ("calculated", "calculatedsimple"):
        read_calculated(element, question)
    read_files(element, question, shown)


def read_cloze(element: etree.Element, question: ImportedQuestion, files: dict[str, str]) -> None:
    """A cloze question's blanks (``authoring.interchange.cloze``) as ``question.blanks``, their choices and
    feedback as Markdown (converted as the text is, images to ``files``); in the element's question text
    each blank becomes ``{#N}``, so the text is then read as any other. ClozeError (a ValueError) for a
    blank that cannot be read."""
    holder = element.find("questiontext")
    found = holder.find("text") if holder is not None else None
    if found is None or not found.text:
        raise ValueError("a cloze question without a question text")
    found.text, blanks = blanks_in(found.text)
    if not blanks:
        raise ValueError("a cloze question without blanks ({1:NUMERICAL:=2.5:0.1}, {1:MULTICHOICE:=yes~no}, …)")
    text_format = holder.get("format", "html")
    text_format = text_format if text_format in ("markdown", "plain_text") else "html"  # a piece, not paragraphs

    def converted(piece: str) -> str:
        markdown, notes = to_markdown(piece, text_format, files)
        question.notes.extend(notes)
        return markdown

    for blank in blanks:
        choice = blank.qtype in ("multichoice", "multiresponse")
        answers = tuple(replace(answer, text=converted(answer.text) if choice else html.unescape(answer.text),
                                feedback=converted(answer.feedback)) for answer in blank.answers)
        question.blanks.append(replace(blank, answers=answers))


def read_files(element: etree.Element, question: ImportedQuestion, shown: dict[str, str]) -> None:
    """The files of the question's texts (``<file>`` anywhere in ``element``) that its images show (``shown``:
    image name -> Moodle's path) as ``question.files``; what is wrong with them as ``file_problems``."""
    found: dict[str, bytes] = {}
    broken = set()
    for file in element.iter("file"):
        path = "/".join(part for part in (file.get("path") or "/").split("/") + [file.get("name") or ""] if part)
        if (file.get("encoding") or "base64") != "base64":
            question.file_problems.append(f"the file “{path}” is not base64 (encoding “{file.get('encoding')}”)")
            broken.add(path)
            continue
        try:
            data = base64.b64decode("".join((file.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            question.file_problems.append(f"the file “{path}” is not valid base64: the file is damaged")
            broken.add(path)
            continue
        if found.get(path, data) != data:
            question.file_problems.append(f"two different files are named “{path}” (in different texts): rename one "
                                          "in Moodle")
        found[path] = data
    for name, path in shown.items():
        question.files.append(EmbeddedFile(name, found.get(path), path))
        if path not in found and path not in broken:
            question.file_problems.append(f"the image “{path}” is shown but the question has no file of that name "
                                          "(<file name=… path=…>)")


def read_calculated(element: etree.Element, question: ImportedQuestion) -> None:
    """A calculated question's tolerance types and shown lengths (on its answers) and its wildcards'
    datasets (``<dataset_definitions>``: name, distribution, minimum, maximum, decimals)."""
    question.answers = [
        replace(answer, tolerance_type=int(number_of(found, "tolerancetype", 1.0)),
                length=None if number_of(found, "correctanswerlength") is None else int(
                    number_of(found, "correctanswerlength")),
                length_format=int(number_of(found, "correctanswerformat", 1.0)))
        for answer, found in zip(question.answers, element.findall("answer"), strict=True)]
    for definition in element.iter("dataset_definition"):
        name = text_of(definition, "name").strip()
        question.datasets[name] = {
            "min": number_of(definition, "minimum/text", 0.0), "max": number_of(definition, "maximum/text", 0.0),
            "decimals": int(number_of(definition, "decimals/text", 0.0)),
            "distribution": text_of(definition, "distribution").strip() or "uniform"}


# --- writing ----------------------------------------------------------------------------------------


def write_moodle_xml(categories: list[tuple[str, list[ImportedQuestion]]]) -> bytes:
    """A Moodle XML file of (category path, questions) pairs: a ``<question type="category">`` each, then
    its questions (texts already HTML, see ``authoring.interchange.exporting``), UTF-8."""
    root = etree.Element("quiz")
    for path, questions in categories:
        category = etree.SubElement(root, "question", type="category")
        text_element(category, "category", path)
        for question in questions:
            write_question(root, question)
    etree.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="utf-8") + b"\n"


def text_element(parent: etree.Element, tag: str, text: str, text_format: str | None = None,
                 files: list[EmbeddedFile] = ()) -> etree.Element:
    """``<tag format="…"><text>text</text></tag>`` under ``parent``, followed inside it by the ``files``
    whose ``@@PLUGINFILE@@/NAME`` the text shows (base64, path ``/``): Moodle imports a text's files from
    its own element."""
    element = etree.SubElement(parent, tag, **({"format": text_format} if text_format else {}))
    etree.SubElement(element, "text").text = text
    shown = {unquote(name) for name in FILE_REFERENCE.findall(text)}
    for file in files:
        if file.name in shown and file.data is not None:
            written = etree.SubElement(element, "file", name=file.name, path="/", encoding="base64")
            written.text = base64.b64encode(file.data).decode("ascii")
    return element


def write_question(root: etree.Element, question: ImportedQuestion) -> None:
    element = etree.SubElement(root, "question", type=question.qtype)
    files = question.files
    text_element(element, "name", question.name)
    text_element(element, "questiontext", question.text, "html", files)
    text_element(element, "generalfeedback", question.general_feedback, "html", files)
    etree.SubElement(element, "defaultgrade").text = f"{question.points if question.points is not None else 1:g}"
    etree.SubElement(element, "hidden").text = "0"
    calculated = question.qtype in ("calculated", "calculatedsimple")
    if question.qtype == "multichoice":
        etree.SubElement(element, "single").text = "true" if question.single else "false"
        etree.SubElement(element, "shuffleanswers").text = "0"  # our choices keep their order
        etree.SubElement(element, "answernumbering").text = "abc"
    elif question.qtype == "shortanswer":
        etree.SubElement(element, "usecase").text = "1" if question.usecase else "0"
    elif question.qtype == "numerical":
        etree.SubElement(element, "showunits").text = "3"  # no units
    elif calculated:
        for tag, value in (("synchronize", "0"), ("single", "0"), ("answernumbering", "abc"), ("shuffleanswers", "0"),
                           ("unitgradingtype", "0"), ("unitpenalty", "0.1"), ("showunits", "3"), ("unitsleft", "0")):
            etree.SubElement(element, tag).text = value
    answer_format = "html" if question.qtype == "multichoice" else "moodle_auto_format"
    for answer in question.answers:
        written = text_element(element, "answer", answer.text, answer_format, files)
        written.set("fraction", f"{answer.fraction * 100:.7g}")
        if question.qtype == "numerical" or calculated:
            etree.SubElement(written, "tolerance").text = f"{answer.tolerance:.12g}"
        if calculated:
            etree.SubElement(written, "tolerancetype").text = str(answer.tolerance_type)
            etree.SubElement(written, "correctanswerformat").text = str(answer.length_format)
            etree.SubElement(written, "correctanswerlength").text = str(answer.length if answer.length is not None
                                                                        else 2)
        text_element(written, "feedback", answer.feedback, "html", files)
    if question.hint:
        text_element(element, "hint", question.hint, "html", files)
    if calculated:
        write_datasets(element, question)


def write_datasets(element: etree.Element, question: ImportedQuestion) -> None:
    """A calculated question's ``<dataset_definitions>``: per wildcard its range, decimals, distribution and
    the values Moodle draws from (``dataset_items``), private to the question."""
    definitions = etree.SubElement(element, "dataset_definitions")
    for name, spec in question.datasets.items():
        definition = etree.SubElement(definitions, "dataset_definition")
        text_element(definition, "status", "private")
        text_element(definition, "name", name)
        etree.SubElement(definition, "type").text = question.qtype
        text_element(definition, "distribution", spec["distribution"])
        text_element(definition, "minimum", repr(float(spec["min"])))
        text_element(definition, "maximum", repr(float(spec["max"])))
        text_element(definition, "decimals", str(spec["decimals"]))
        values = question.dataset_items.get(name, [])
        etree.SubElement(definition, "itemcount").text = str(len(values))
        items = etree.SubElement(definition, "dataset_items")
        for number, value in enumerate(values, start=1):
            item = etree.SubElement(items, "dataset_item")
            etree.SubElement(item, "number").text = str(number)
            etree.SubElement(item, "value").text = value
        etree.SubElement(definition, "number_of_items").text = str(len(values))
