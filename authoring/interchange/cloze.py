"""Moodle's embedded answers (cloze questions, Moodle's *multianswer*): the blanks of a question text, read
and written. Syntax only: what a blank becomes here is ``authoring.interchange.mapping``'s.

A blank is ``{WEIGHT:TYPE:ANSWERS}`` anywhere in the question's (HTML) text:

- WEIGHT: a whole number, the blank's share of the question's points (empty or 0: 1, as in Moodle);
- TYPE: ``NUMERICAL`` (``NM``); ``SHORTANSWER`` (``SA``, ``MW``) and case-sensitive ``SHORTANSWER_C`` (``SAC``,
  ``MWC``); one choice: ``MULTICHOICE`` (``MC``, a drop-down), ``MULTICHOICE_V`` (``MCV``), ``MULTICHOICE_H``
  (``MCH``) and their shuffled forms ``MULTICHOICE_S``, ``_VS``, ``_HS`` (``MCS``, ``MCVS``, ``MCHS``);
  several: ``MULTIRESPONSE`` (``MR``), ``_H``, ``_S``, ``_HS`` (``MRH``, ``MRS``, ``MRHS``); the regular-expression
  plugin's ``REGEXP`` (``RX``), ``REGEXP_C`` (``RXC``);
- ANSWERS: alternatives separated by ``~``, each ``=`` (full marks), ``%50%`` (a fraction in percent, decimals
  allowed) or nothing (0), then the answer, then optionally ``#`` and its feedback. A NUMERICAL answer is
  ``number`` or ``number:tolerance`` (absolute; ``2,5`` is 2.5), or ``*`` (any other answer).

Inside answers and feedback ``\\}``, ``\\#``, ``\\~``, ``\\/``, ``\\"`` and ``\\\\`` are those characters; any other
backslash is kept (TeX: ``\\(x^2\\)``), and a ``#`` right after ``&`` belongs to an HTML entity (``&#39;``).
``{N:TYPE:`` of a type that is not one of these (``{1:NUMERIC:…}``), and a blank never closed by ``}``, raise
``ClozeError``: a blank is never lost without a word (Moodle would show such text as it is).

``blanks_in(text)`` gives the text with each blank replaced by ``{#N}`` (Moodle's own marker, N from 1)
and the blanks, their answers and feedback still in the text's format; ``blank_syntax`` writes one back.
"""

import re
from dataclasses import dataclass

from authoring.interchange.imported import Answer

TYPES = {  # as written -> (Moodle's qtype, case sensitive, shuffled)
    **dict.fromkeys(("NUMERICAL", "NM"), ("numerical", False, False)),
    **dict.fromkeys(("SHORTANSWER", "SA", "MW"), ("shortanswer", False, False)),
    **dict.fromkeys(("SHORTANSWER_C", "SAC", "MWC"), ("shortanswer", True, False)),
    **dict.fromkeys(("MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH"),
                    ("multichoice", False, False)),
    **dict.fromkeys(("MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"),
                    ("multichoice", False, True)),
    **dict.fromkeys(("MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH"), ("multiresponse", False, False)),
    **dict.fromkeys(("MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS"), ("multiresponse", False, True)),
    **dict.fromkeys(("REGEXP", "RX"), ("regexp", False, False)),
    **dict.fromkeys(("REGEXP_C", "RXC"), ("regexp", True, False)),
}
START = re.compile(r"\{(\d*):([A-Z][A-Z_]*):")
ESCAPED = '}#~/"\\'
FRACTION = re.compile(r"%(-?\d+(?:[.,]\d*)?)%")
NUMBER = re.compile(r"-?(\d+[.,]?\d*|[.,]\d+)([eE][-+]?\d+)?")
MARKER = re.compile(r"\{#(\d+)\}")  # where blank N stood


class ClozeError(ValueError):
    """A blank that cannot be read; the message names it, where it starts and what is wrong."""


@dataclass(frozen=True)
class Blank:
    """One embedded answer: its number (from 1, in text order), Moodle's qtype (``numerical``,
    ``shortanswer``, ``multichoice``, ``multiresponse``, ``regexp``), the type as written (``MCV``), its
    weight, its answers (a numerical one's text is the number, ``.`` for the decimal point, or ``*``) and
    whether it is case sensitive or shuffled."""

    number: int
    qtype: str
    written: str
    weight: int
    answers: tuple[Answer, ...]
    usecase: bool = False
    shuffled: bool = False


def blanks_in(text: str) -> tuple[str, list[Blank]]:
    """``text`` with each blank as ``{#N}``, and the blanks; ClozeError for a blank that cannot be read."""
    pieces, blanks, last = [], [], 0
    for start in START.finditer(text):
        if start.start() < last:  # inside the blank before (an answer's text)
            continue
        number = len(blanks) + 1
        where = f"blank {number} (character {start.start() + 1} of the question text, “{text[start.start():][:40]}…”)"
        written = start.group(2)
        if written not in TYPES:
            raise ClozeError(f"{where}: unknown type {written} (Moodle's are NUMERICAL, SHORTANSWER, MULTICHOICE, "
                             "MULTIRESPONSE and their short forms)")
        alternatives, end = read_alternatives(text, start.end(), where)
        qtype, usecase, shuffled = TYPES[written]
        answers = tuple(answer_of(qtype, answer, feedback, f"{where}, answer {index}")
                        for index, (answer, feedback) in enumerate(alternatives, start=1))
        blanks.append(Blank(number, qtype, written, int(start.group(1) or 0) or 1, answers, usecase, shuffled))
        pieces += [text[last:start.start()], f"{{#{number}}}"]
        last = end
    return "".join([*pieces, text[last:]]), blanks


def read_alternatives(text: str, position: int, where: str) -> tuple[list[tuple[str, str]], int]:
    """The (answer, feedback) pairs of the blank whose answers start at ``position``, unescaped, and the
    position after its closing ``}``."""
    alternatives, answer, feedback = [], [], None
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text) and text[position + 1] in ESCAPED:
            (answer if feedback is None else feedback).append(text[position + 1])
            position += 2
            continue
        if char in "~}":
            alternatives.append(("".join(answer), "".join(feedback or [])))
            answer, feedback = [], None
            if char == "}":
                return alternatives, position + 1
        elif char == "#" and feedback is None and not (answer and answer[-1] == "&"):
            feedback = []
        else:
            (answer if feedback is None else feedback).append(char)
        position += 1
    raise ClozeError(f"{where}: never closed with “}}” (write \\}} for the character)")


def answer_of(qtype: str, written: str, feedback: str, where: str) -> Answer:
    """One alternative as an ``Answer``: its fraction from ``=`` or ``%N%``, a numerical one's number and
    tolerance; ClozeError for an empty answer or a number that is none."""
    written = written.strip()
    fraction = 0.0
    if written.startswith("="):
        fraction, written = 1.0, written[1:].strip()
    elif match := FRACTION.match(written):
        fraction, written = float(match.group(1).replace(",", ".")) / 100, written[match.end():].strip()
    if not written:
        raise ClozeError(f"{where} is empty")
    if qtype != "numerical" or written == "*":
        return Answer(written, fraction, feedback.strip())
    value, colon, margin = (part.strip().replace(",", ".") for part in written.partition(":"))
    for part in (value, margin) if colon else (value,):
        if not NUMBER.fullmatch(part):
            raise ClozeError(f"{where}: “{part}” is not a number (write 2.5, or 2.5:0.1 with the tolerance after "
                             "the colon)")
    return Answer(value, fraction, feedback.strip(), abs(float(margin)) if colon else 0.0)


# --- writing ----------------------------------------------------------------------------------------


def escaped(text: str) -> str:
    """``text`` for an answer or feedback of a blank: ``}``, ``#`` and ``~`` escaped, and a backslash that
    would escape the character after it doubled (as ``read_alternatives`` reads it back)."""
    out = []
    for index, char in enumerate(text):
        if char in "}#~":
            out.append("\\" + char)
        elif char == "\\" and text[index + 1:index + 2] in (*ESCAPED, ""):  # "": the syntax's ~ # } follows
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


def blank_syntax(weight: int, written: str, answers: list[Answer]) -> str:
    """One blank as Moodle writes it: ``{2:NUMERICAL:=2.5:0.1#feedback~%50%2.4:0.2}``; a numerical answer's
    text is its number (its tolerance written after it when above 0), any other is escaped."""
    qtype = TYPES[written][0]
    alternatives = []
    for answer in answers:
        mark = "=" if answer.fraction >= 1 else f"%{answer.fraction * 100:.7g}%" if answer.fraction else ""
        text = answer.text if qtype == "numerical" else escaped(answer.text)
        if qtype == "numerical" and answer.tolerance:
            text = f"{text}:{answer.tolerance:.12g}"
        alternatives.append(f"{mark}{text}{'#' + escaped(answer.feedback) if answer.feedback else ''}")
    return f"{{{weight}:{written}:{'~'.join(alternatives)}}}"
