"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format) read into ``ImportedQuestion``s.

The file is untrusted, so it is parsed with expat directly and refused at the first DOCTYPE or
entity declaration: no entity expansion (billion laughs), no external entities. (``defusedxml``
would do the same; it is not a dependency of ours.) A file that is not well-formed XML raises
``FileUnreadable`` naming its line and column; a question whose values are broken (a fraction that
is no number) gets ``error`` and the rest of the file is still read.

Read per ``<question type="…">``: ``name``, ``questiontext`` (its ``format``), ``generalfeedback``,
``defaultgrade``, ``penalty``, the first ``hint``, ``answer`` (``fraction``, ``text``, ``feedback``,
``tolerance``), ``single``, ``usecase`` and ``units``. ``<question type="category">`` sets the
category of the questions after it.
"""

import xml.etree.ElementTree as etree
from dataclasses import replace
from xml.parsers import expat

from authoring.interchange.imported import Answer, FileUnreadable, ImportedQuestion, category_title
from authoring.interchange.markup import FORMATS, to_markdown


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


def markdown_of(element: etree.Element | None, question: ImportedQuestion, default_format: str = "html") -> str:
    """The ``<text>`` of ``element`` as Markdown, in the element's ``format``; notes go to ``question``."""
    if element is None:
        return ""
    text_format = element.get("format", default_format)
    converted, notes = to_markdown(element.findtext("text") or "", text_format if text_format in FORMATS else "html")
    question.notes.extend(notes)
    return converted


def read_question(element: etree.Element, question: ImportedQuestion) -> None:
    """Fill ``question`` from its ``<question>`` element; raises ValueError for a broken value."""
    question.text = markdown_of(element.find("questiontext"), question)
    question.general_feedback = markdown_of(element.find("generalfeedback"), question)
    question.hint = markdown_of(element.find("hint"), question)
    question.points = number_of(element, "defaultgrade")
    question.penalty = number_of(element, "penalty")
    question.single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
    question.usecase = (element.findtext("usecase") or "0").strip().lower() in ("true", "1")
    units = [unit.findtext("unit_name") or "" for unit in element.iter("unit")]
    if any(units):
        question.notes.append(f"units ({', '.join(unit for unit in units if unit)}) ignored: answers are plain numbers")
    for answer in element.findall("answer"):
        fraction = number_of(answer, "@fraction", 0.0) / 100
        feedback = markdown_of(answer.find("feedback"), question)
        if question.qtype == "multichoice":
            text = markdown_of(answer, question)
        else:
            text = (answer.findtext("text") or "").strip()
        question.answers.append(Answer(text, fraction, feedback, abs(number_of(answer, "tolerance", 0.0))))
    if question.qtype in ("calculated", "calculatedsimple"):
        read_calculated(element, question)


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


def text_element(parent: etree.Element, tag: str, text: str, text_format: str | None = None) -> etree.Element:
    """``<tag format="…"><text>text</text></tag>`` under ``parent``."""
    element = etree.SubElement(parent, tag, **({"format": text_format} if text_format else {}))
    etree.SubElement(element, "text").text = text
    return element


def write_question(root: etree.Element, question: ImportedQuestion) -> None:
    element = etree.SubElement(root, "question", type=question.qtype)
    text_element(element, "name", question.name)
    text_element(element, "questiontext", question.text, "html")
    text_element(element, "generalfeedback", question.general_feedback, "html")
    etree.SubElement(element, "defaultgrade").text = f"{question.points if question.points is not None else 1:g}"
    etree.SubElement(element, "hidden").text = "0"
    if question.qtype == "multichoice":
        etree.SubElement(element, "single").text = "true" if question.single else "false"
        etree.SubElement(element, "shuffleanswers").text = "0"  # our choices keep their order
        etree.SubElement(element, "answernumbering").text = "abc"
    elif question.qtype == "shortanswer":
        etree.SubElement(element, "usecase").text = "1" if question.usecase else "0"
    elif question.qtype == "numerical":
        etree.SubElement(element, "showunits").text = "3"  # no units
    answer_format = "html" if question.qtype == "multichoice" else "moodle_auto_format"
    for answer in question.answers:
        written = text_element(element, "answer", answer.text, answer_format)
        written.set("fraction", f"{answer.fraction * 100:.7g}")
        if question.qtype == "numerical":
            etree.SubElement(written, "tolerance").text = f"{answer.tolerance:.12g}"
        text_element(written, "feedback", answer.feedback, "html")
    if question.hint:
        text_element(element, "hint", question.hint, "html")
