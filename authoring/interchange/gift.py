"""GIFT, Moodle's plain-text question format (https://docs.moodle.org/en/GIFT_format), read into
``ImportedQuestion``s.

What is read::

    file      = { block } ;                       blocks are separated by blank lines
    block     = "$CATEGORY:" path | question ;     lines starting with // are comments, anywhere
    question  = [ "::" title "::" ] [ "[" format "]" ] text [ "{" answers "}" [ text ] ] ;
    answers   = kind-specific, then [ "####" general feedback ] ;
    format    = "markdown" | "html" | "plain" | "moodle" ;   moodle (the default): HTML, blank lines are paragraphs

The kind follows from the answer block, in Moodle's order: empty (essay), ``#…`` (numerical), any
``~`` (multiple choice: one pick when some answer starts with ``=``, else several; any answer
weighted ``~%50%`` or ``~%-25%``, Moodle's fraction in percent), ``->`` (matching),
``T``/``F``/``TRUE``/``FALSE`` (true/false: ``#`` feedback on a wrong answer, then ``#`` on a right
one), otherwise ``=a =b`` (short answer). No answer block: a
description. Text after the block makes a missing-word question: the blank becomes ``_____``.
``\\~ \\= \\# \\{ \\} \\:`` are the characters themselves; any other backslash is kept (LaTeX), and,
unlike Moodle, ``\\n`` is not a newline (it would break ``\\nabla``).

A question whose syntax is broken gets ``error`` and the line its block starts on; it never stops
the rest of the file from being read.
"""

import re
from decimal import Decimal

from authoring.interchange.imported import Answer, ImportedQuestion, category_title
from authoring.interchange.markup import to_markdown

ESCAPES = {char: chr(0xE000 + n) for n, char in enumerate("~=#{}:")}  # private-use stand-ins
FORMATS = {"markdown": "markdown", "html": "html", "plain": "plain_text", "moodle": "moodle_auto_format"}
WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
FORMAT_MARK = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
TITLE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
BLANK = "\ue0ff"  # where a missing-word question's blank goes, until the text is Markdown


class GiftSyntaxError(ValueError):
    """The question's syntax is broken; the message says how, for the author."""


def parse_gift(text: str) -> list[ImportedQuestion]:
    """Every question of a GIFT file's ``text`` in file order, categories applied."""
    questions, category = [], ""
    for line, lines in blocks(text):
        if lines[0].lstrip().startswith("$CATEGORY:"):
            category = category_title(lines[0].split(":", 1)[1].strip())
            line, lines = line + 1, lines[1:]
            if not lines:
                continue
        question = ImportedQuestion(where=f"line {line}", qtype="", category=category)
        try:
            read_question("\n".join(lines), question)
        except GiftSyntaxError as error:
            question.error = str(error)
        questions.append(question)
    return questions


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, its lines) of each blank-line separated block, comment lines left out."""
    found: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                found.append((start, current))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        found.append((start, current))
    return found


def protect(text: str) -> str:
    """``text`` with each escaped special character replaced by its stand-in."""
    for char, stand_in in ESCAPES.items():
        text = text.replace("\\" + char, stand_in)
    return text


def unprotect(text: str) -> str:
    """Stand-ins back to the characters they stand for (the backslash dropped)."""
    for char, stand_in in ESCAPES.items():
        text = text.replace(stand_in, char)
    return text


def read_question(text: str, question: ImportedQuestion) -> None:
    """Fill ``question`` from one block's ``text``; raises GiftSyntaxError."""
    text = protect(text)
    title = TITLE.match(text)
    if title:
        question.name = unprotect(title.group(1)).strip()
        text = text[title.end():]
    mark = FORMAT_MARK.match(text)
    text_format = FORMATS[mark.group(1).lower()] if mark else "moodle_auto_format"
    if mark:
        text = text[mark.end():]

    def markdown(piece: str) -> str:
        converted, notes = to_markdown(unprotect(piece), text_format)
        question.notes.extend(notes)
        return converted

    start = text.find("{")
    if start < 0:
        if "}" in text:
            raise GiftSyntaxError("a “}” without its “{” (write \\} for the character)")
        question.qtype, question.text = "description", markdown(text)
        return
    end = text.find("}", start)
    if end < 0:
        raise GiftSyntaxError("the answer block “{” is never closed with “}”")
    before, block, after = text[:start], text[start + 1:end], text[end + 1:]
    if "{" in block:
        raise GiftSyntaxError("a “{” inside the answer block (write \\{ for the character)")
    if "{" in after or "}" in after:
        raise GiftSyntaxError("more than one answer block (write \\{ and \\} for the characters)")
    prompt = f"{before.rstrip()} {BLANK} {after.lstrip()}" if after.strip() else before
    question.text = markdown(prompt).replace(BLANK, "_____")
    block, _, general = block.partition("####")
    question.general_feedback = markdown(general)
    read_answers(block.strip(), question, markdown)


def read_answers(block: str, question: ImportedQuestion, markdown) -> None:
    """The kind and answers of an answer ``block`` (escapes protected, general feedback removed)."""
    if not block:
        question.qtype = "essay"
    elif block.startswith("#"):
        question.qtype = "numerical"
        question.answers = numerical_answers(block[1:], markdown)
    elif "~" in block:
        question.qtype, question.single = "multichoice", "=" in block
        question.answers = [Answer(markdown(text), fraction, markdown(feedback))
                            for text, fraction, feedback in answer_list(block)]
    elif "->" in block:
        question.qtype = "matching"
    elif block.split("#", 1)[0].strip().upper() in TRUE_FALSE:
        question.qtype = "truefalse"
        value, *feedback = [part.strip() for part in block.split("#")]
        if len(feedback) > 2:
            raise GiftSyntaxError("a true/false answer takes at most two feedbacks (#wrong#right)")
        wrong, right = (feedback + ["", ""])[:2]
        truth = TRUE_FALSE[value.upper()]
        question.answers = [Answer("true", float(truth), markdown(right if truth else wrong)),
                            Answer("false", float(not truth), markdown(wrong if truth else right))]
    else:
        question.qtype = "shortanswer"
        question.answers = [Answer(unprotect(text).strip(), fraction, markdown(feedback))
                            for text, fraction, feedback in answer_list(block)]


def answer_list(block: str) -> list[tuple[str, float, str]]:
    """(text, fraction, feedback) of each ``=`` or ``~`` answer of ``block``, text and feedback still protected.

    ``=`` is full marks, ``~`` none, unless a ``%weight%`` follows the mark.
    """
    pieces = re.split(r"([=~])", block)
    if pieces[0].strip():
        raise GiftSyntaxError(f"“{unprotect(pieces[0].strip())}” before the first answer: start each answer "
                              "with = (right) or ~ (wrong)")
    answers = []
    for mark, body in zip(pieces[1::2], pieces[2::2], strict=True):
        weight = WEIGHT.match(body)
        fraction = (float(weight.group(1)) / 100) if weight else (1.0 if mark == "=" else 0.0)
        if weight:
            body = body[weight.end():]
        text, _, feedback = body.partition("#")
        if not text.strip():
            raise GiftSyntaxError(f"an empty answer after “{mark}”")
        answers.append((text.strip(), fraction, feedback.strip()))
    return answers


def numerical_answers(block: str, markdown) -> list[Answer]:
    """Answers of a numerical block (after its ``#``): ``3.14:0.01``, ``1..5`` or ``=``/``~`` answers of those."""
    if "=" not in block and "~" not in block:
        value, _, feedback = block.partition("#")
        answers = [(value, 1.0, feedback)]
    else:
        answers = answer_list(block)
    found = []
    for text, fraction, feedback in answers:
        value, tolerance = number_and_tolerance(text)
        found.append(Answer(value, fraction, markdown(feedback), tolerance))
    return found


def number_and_tolerance(text: str) -> tuple[str, float]:
    """``3.14:0.01`` (value and absolute tolerance), ``1..5`` (a range: its midpoint, half its width) or ``3``."""
    text = unprotect(text).strip()
    if ".." in text:
        low, high = (number(part, text) for part in text.split("..", 1))
        if high < low:
            raise GiftSyntaxError(f"the range “{text}” ends below its start")
        return repr((low + high) / 2), (high - low) / 2
    value, _, tolerance = text.partition(":")
    return repr(number(value, text)), abs(number(tolerance, text)) if tolerance.strip() else 0.0


def number(piece: str, text: str) -> float:
    try:
        return float(piece)
    except ValueError:
        raise GiftSyntaxError(f"“{text}” is not a number (write 3.14, 3.14:0.01 or 1..5)") from None


# --- writing ----------------------------------------------------------------------------------------


def write_gift(categories: list[tuple[str, list[ImportedQuestion]]]) -> tuple[str, dict[str, list[str]]]:
    """A GIFT file of (category path, questions) pairs (texts already HTML, see
    ``authoring.interchange.exporting``), and per question (its ``where``) what GIFT cannot say: a hint,
    points other than 1, case-sensitive short answers."""
    blocks, lost = [], {}
    for path, questions in categories:
        blocks.append(f"$CATEGORY: {path}")
        for question in questions:
            block, notes = gift_question(question)
            blocks.append(block)
            if notes:
                lost[question.where] = notes
    return "\n\n".join(blocks) + "\n", lost


def escape(text: str) -> str:
    """``text`` with GIFT's special characters escaped, as the reader (``protect``) unescapes them."""
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text


def escape_html(text: str) -> str:
    """An HTML text for a GIFT file: escaped, on lines that are neither blank (a blank line ends the
    question) nor comments, and ``\\n`` written as ``&#92;n`` because Moodle reads ``\\n`` as a line
    break (``\\nabla``, ``\\neq``)."""
    text = re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text.strip())
    text = re.sub(r"\n(?=[ \t]*//)", " ", text).replace("\\n", "&#92;n")
    return escape(text)


def gift_question(question: ImportedQuestion) -> tuple[str, list[str]]:
    """One question as GIFT, and what GIFT could not say of it."""
    notes = []
    if question.hint:
        notes.append("GIFT has no hints: the hint is left out")
    if question.points is not None and question.points != 1:
        notes.append(f"GIFT has no points: Moodle gives {question.points:g} → 1")
    answers = []
    if question.qtype == "truefalse":
        answers.append("TRUE" if question.answers[0].fraction >= 1 else "FALSE")
    elif question.qtype == "numerical":
        answers.append("#")
        for answer in question.answers:
            mark = "=" if answer.fraction >= 1 else f"=%{weight(answer)}%"
            answers.append(f"{mark}{answer.text}:{answer.tolerance:.12g}{feedback_of(answer)}")
    else:
        if question.qtype == "shortanswer" and question.usecase:
            notes.append("GIFT cannot say case-sensitive: Moodle compares case-insensitively")
        for answer in question.answers:
            text = escape_html(answer.text) if question.qtype == "multichoice" else escape(answer.text)
            if question.qtype == "multichoice" and question.single:  # "=" makes it single: a 100 % answer
                mark = "=" if answer.fraction >= 1 else "~" if answer.fraction == 0 else f"~%{weight(answer)}%"
            elif question.qtype == "multichoice":
                mark = f"~%{weight(answer)}%"
            else:  # shortanswer: ~ would make it multiple choice
                mark = "=" if answer.fraction >= 1 else f"=%{weight(answer)}%"
            answers.append(f"{mark}{text}{feedback_of(answer)}")
    if question.general_feedback:
        answers.append(f"####{escape_html(question.general_feedback)}")
    body = "\n".join(f"\t{answer}" for answer in answers)
    text = f"::{escape(question.name)}::[html]{escape_html(question.text)}{{\n{body}\n}}"
    return f"// {question.where}\n{text}", notes


def weight(answer: Answer) -> str:
    """The answer's fraction as a GIFT weight, in percent as ``WEIGHT`` reads it: 7 significant digits
    (every fraction Moodle stores, 7 decimals), never an exponent."""
    return f"{Decimal(f'{answer.fraction * 100:.7g}'):f}"


def feedback_of(answer: Answer) -> str:
    return f"#{escape_html(answer.feedback)}" if answer.feedback else ""
