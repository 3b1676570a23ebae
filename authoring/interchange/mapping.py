"""What each Moodle construct becomes here: an ``ImportedQuestion`` mapped onto one of our kinds.

- multichoice with one answer: ``single``, the 100 % answer correct, when every other answer gives 0;
  otherwise (partial credit, penalties, several 100 % answers) ``single`` scored by Moodle fractions,
  each choice keeping its fraction, the 100 % ones correct. Exact either way.
- multichoice with several answers: ``multiple``, a positive fraction marks a correct choice. Net
  correct when each right choice weighs 1/k and each other −1/k; otherwise scored by Moodle fractions,
  each choice keeping its fraction. Exact either way. multichoiceset (Moodle's all-or-nothing plugin):
  ``multiple``, all or nothing.
- a fraction within 0.00001 of one of Moodle's grades (``exporting.MOODLE_FRACTIONS``, or its negative) is that
  grade, as Moodle's own import takes it (``%33.333%`` is 33.33333 %); any other is kept to 7 decimals,
  the precision Moodle stores.
- truefalse: ``true_false``; the feedback for true and for false is added to the explanation.
- shortanswer: ``text`` with the 100 % answers, case-insensitive (exact with ``usecase``); ``*``
  wildcards make every answer a regular expression.
- numerical: ``numeric`` in tolerance mode, the first 100 % answer with its absolute tolerance (0:
  the exact value, up to rounding); more 100 % answers are dropped with a warning.
- shortanswer and numerical answers below 100 % that give partial credit or feedback: expected wrong
  answers (``wrong_answers``) with credit = fraction and their feedback, named by the feedback's first
  words ("answer N" without feedback); a numerical one keeps its own tolerance. One the question
  would accept as correct (saving refuses it), or a short answer with a ``*`` wildcard, is left out
  with a warning.
- calculated and calculatedsimple: ``computed`` with the ``formula`` generator: the first 100 % answer's
  formula (``{a}`` written ``a``), the wildcards' datasets (min, max, decimals, distribution), its
  tolerance (tolerancetype 1 relative, 2 nominal = absolute, 3 geometric: relative, with a warning) and
  correctanswerlength as the shown decimals; ``{a}`` in the text becomes ``{{ a }}`` (inside math) or
  ``${{ a }}$``. Skipped with the reason: inline formulas ``{=…}`` in the text, a wildcard without a
  dataset, a formula our evaluator refuses.
- cloze (Moodle's multianswer, ``authoring.interchange.cloze``): ``multi_step`` with the ``fixed_steps``
  generator, all steps at once, no carried credit (no step depends on another): each blank a step ``sN``
  (title "blank N") of its weight; NUMERICAL: its first 100 % answer and absolute tolerance; MULTICHOICE
  (any layout): a choice step of its answers, the first 100 % one right. In the prompt blank N is
  ``**(step N)**``; points: the sum of the weights (Moodle ignores a cloze's default grade). Dropped with a
  warning: partial credit, more 100 % answers, the answers' feedback, shuffling. Skipped with the reason:
  short-answer, multi-response and regular-expression blanks (a step is a number or one choice).
- general feedback, the first hint, the default grade: explanation, hint, points.
- description: skipped, "description"; anything else (matching, essay, calculatedmulti, drag and
  drop, ...): skipped, "kind not supported yet".
"""

import math
import re
from dataclasses import dataclass, field

from authoring.interchange.cloze import MARKER, Blank
from authoring.interchange.exporting import MOODLE_FRACTIONS
from authoring.interchange.imported import Answer, ImportedQuestion
from compute.config import ConfigError
from compute.generators import get_generator
from quizzes.grading import is_full_score
from quizzes.kinds import get_kind
from quizzes.kinds.expected_wrong import NAME_LENGTH
from quizzes.models import Question

FULL = 1 - 1e-6  # Moodle writes fractions with 7 decimals: 0.9999999 is full marks
TITLE_LENGTH = 200  # Question.title's max_length
WILDCARD = re.compile(r"(?<!\\)\*")  # Moodle's short-answer wildcard; \* is the character
EXACT_ZERO_RTOL = 1e-9  # a Moodle tolerance of 0: the exact value, up to binary rounding
GRADE_MATCH = 1e-5  # how close Moodle's import wants a fraction to one of its grades


class Skipped(Exception):
    """The question has no kind here; the message is the reason shown in the report."""


@dataclass
class Mapped:
    """A question ready to become a ``Question`` with ``Choice`` rows (text, is_correct, feedback, fraction);
    fraction is None unless the question is scored by Moodle fractions."""

    kind: str
    title: str
    prompt: str
    hint: str = ""
    explanation: str = ""
    points: float = 1.0
    settings: dict = field(default_factory=dict)
    choices: list[tuple[str, bool, str, float | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def map_question(imported: ImportedQuestion) -> Mapped:
    """``imported`` as one of our kinds (see the module docstring). Raises ``Skipped`` for a kind we do not
    have, ValueError for a question that cannot work (a numerical one without a 100 % answer)."""
    qtype = imported.qtype
    if qtype == "description":
        raise Skipped("description")
    if qtype not in MAPPERS:
        raise Skipped(f"kind not supported yet ({qtype or 'unknown'})")
    mapped = Mapped(kind="", title=title_of(imported), prompt=imported.text, hint=imported.hint,
                    explanation=imported.general_feedback, warnings=list(imported.notes),
                    points=imported.points if imported.points is not None else 1.0)
    MAPPERS[qtype](imported, mapped)
    return mapped


def title_of(imported: ImportedQuestion) -> str:
    """The question's name, else the start of its prompt."""
    title = imported.name or " ".join(imported.text.split()[:8])
    return title[:TITLE_LENGTH]


def percent(fraction: float) -> str:
    return f"{fraction * 100:.4g} %"


def moodle_grade(fraction: float) -> float:
    """``fraction`` as Moodle's import takes it: the Moodle grade (or its negative) within GRADE_MATCH of it,
    else the fraction to 7 decimals."""
    for grade in MOODLE_FRACTIONS:
        if abs(abs(fraction) - grade) < GRADE_MATCH:
            return math.copysign(grade, fraction) if grade else 0.0
    return round(fraction, 7)


def map_multichoice(imported: ImportedQuestion, mapped: Mapped) -> None:
    graded = [(answer, moodle_grade(answer.fraction)) for answer in imported.answers]
    fractions = [fraction for _, fraction in graded]
    if imported.single:
        mapped.kind = "single"
        if sum(f >= FULL for f in fractions) == 1 and all(f >= FULL or f == 0 for f in fractions):
            mapped.choices = [(a.text, f >= FULL, a.feedback, None) for a, f in graded]
            return
        mapped.settings = {"single_mode": "fractions"}
    else:
        mapped.kind, mapped.settings = "multiple", {"multiple_mode": "net_correct"}
        right = [f for f in fractions if f > 0]
        share = 1 / len(right) if right else 0
        if right and all(math.isclose(f, share if f > 0 else -share, abs_tol=1e-4) for f in fractions):
            mapped.choices = [(a.text, f > 0, a.feedback, None) for a, f in graded]
            return
        mapped.settings = {"multiple_mode": "fractions"}
    correct = get_kind(mapped.kind).correct_by_fraction
    mapped.choices = [(a.text, correct(f), a.feedback, f) for a, f in graded]


def map_multichoiceset(imported: ImportedQuestion, mapped: Mapped) -> None:
    mapped.kind, mapped.settings = "multiple", {"multiple_mode": "all_or_nothing"}
    mapped.choices = [(a.text, a.fraction > 0, a.feedback, None) for a in imported.answers]


def map_truefalse(imported: ImportedQuestion, mapped: Mapped) -> None:
    mapped.kind = "true_false"
    by_text = {answer.text.strip().lower(): answer for answer in imported.answers}
    if set(by_text) != {"true", "false"}:
        raise ValueError("a true/false question needs the answers “true” and “false”")
    mapped.settings = {"true_false_answer": by_text["true"].fraction >= FULL}
    feedback = [f"**{text.capitalize()}:** {by_text[text].feedback}" for text in ("true", "false")
                if by_text[text].feedback]
    if feedback:
        mapped.explanation = "\n\n".join([*feedback, mapped.explanation]).strip()
        mapped.warnings.append("the feedback for true and for false is added to the explanation")


def map_shortanswer(imported: ImportedQuestion, mapped: Mapped) -> None:
    mapped.kind = "text"
    accepted = [answer.text for answer in imported.answers if answer.fraction >= FULL]
    mode = "exact" if imported.usecase else "case_insensitive"
    if any(WILDCARD.search(text) for text in accepted):
        accepted = [wildcard_pattern(text, imported.usecase) for text in accepted]
        mode = "regex"
        mapped.warnings.append("answers with * wildcards became regular expressions (* matches any text)")
    else:
        accepted = [text.replace("\\*", "*") for text in accepted]
    mapped.settings = {"text_answers": accepted, "text_mode": mode}
    entries = []
    for number, answer in wrong_ones(imported.answers):
        if WILDCARD.search(answer.text):
            mapped.warnings.append(f"answer {number} “{answer.text}” ({percent(answer.fraction)}) is left out: "
                                   "an expected wrong answer is a plain text, without * wildcards")
            continue
        entries.append((number, answer, {"text": answer.text.replace("\\*", "*")}))
    add_wrong_answers(mapped, entries)


def wildcard_pattern(text: str, usecase: bool) -> str:
    """A Moodle short answer with ``*`` wildcards as a regular expression matching the same answers."""
    pattern = ".*".join(re.escape(part.replace("\\*", "*")) for part in WILDCARD.split(text))
    return pattern if usecase else f"(?i){pattern}"


def map_numerical(imported: ImportedQuestion, mapped: Mapped) -> None:
    mapped.kind = "numeric"
    answers = [answer for answer in imported.answers if answer.text != "*"]  # "*": any other answer
    full = [answer for answer in answers if answer.fraction >= FULL]
    if not full:
        raise ValueError("no answer gives full marks (100 %)")
    try:
        value = float(full[0].text)
    except ValueError:
        raise ValueError(f"the answer “{full[0].text}” is not a number") from None
    tolerance = full[0].tolerance
    mapped.settings = {"numeric_answer": value, "numeric_mode": "tolerance", "rtol": 0.0, "atol": tolerance}
    if tolerance == 0:
        mapped.settings |= {"rtol": EXACT_ZERO_RTOL, "atol": 0.0 if value else 1e-12}
    if len(full) > 1:
        mapped.warnings.append(f"{len(full) - 1} more answer(s) with full marks dropped: only "
                               f"{full[0].text} ± {tolerance:g} is accepted")
    if full[0].feedback:
        mapped.warnings.append(f"the feedback of the right answer {full[0].text} is dropped (a right answer gets "
                               "“Correct.”; the explanation follows)")
    entries = []
    for number, answer in wrong_ones(imported.answers):
        try:
            wrong = {"value": float(answer.text)}
        except ValueError:
            mapped.warnings.append(f"answer {number} “{answer.text}” is left out: not a number")
            continue
        if answer.tolerance != tolerance:  # else the question's own comparison is the same
            wrong |= {"rtol": 0.0, "atol": answer.tolerance} if answer.tolerance else {"rtol": EXACT_ZERO_RTOL}
        entries.append((number, answer, wrong))
    add_wrong_answers(mapped, entries)


def wrong_ones(answers: list[Answer]) -> list[tuple[int, Answer]]:
    """(number from 1, answer) of the answers below full marks that give credit or feedback (not ``*``,
    Moodle's "any other answer")."""
    return [(number, answer) for number, answer in enumerate(answers, start=1)
            if answer.fraction < FULL and (answer.fraction > 0 or answer.feedback) and answer.text != "*"]


def add_wrong_answers(mapped: Mapped, entries: list[tuple[int, Answer, dict]]) -> None:
    """``wrong_answers`` of (number, Moodle answer, its "value" or "text" and tolerances): credit and
    feedback from the answer, a unique name from its feedback. An entry the question would grade as correct
    is left out with a warning (saving would refuse it), judged by the kind's own grading."""
    probe = Question(kind=mapped.kind, settings=dict(mapped.settings))
    kind, names, found = probe.kind_spec, set(), []
    for number, answer, given in entries:
        typed = given.get("value", given.get("text"))
        if is_full_score(kind.grade(probe, typed, choices=(), variant=None).score):
            mapped.warnings.append(f"answer {number} “{answer.text}” ({percent(answer.fraction)}) is left out: "
                                   "the question accepts it as correct")
            continue
        name = unique_name(entry_name(answer.feedback) or f"answer {number}", names)
        feedback = answer.feedback.strip() or f"{percent(answer.fraction)} of the points."
        found.append({"name": name, **given, "feedback": feedback, "credit": round(max(answer.fraction, 0.0), 7)})
    if found:
        mapped.settings["wrong_answers"] = found


def entry_name(feedback: str) -> str:
    """The first words of ``feedback`` as plain text, at most NAME_LENGTH characters ("" when none)."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|<[^>]*>", " ", feedback, flags=re.DOTALL)
    words = re.sub(r"[*_`#>\[\]]", "", text).split()
    name = ""
    for word in words:
        if len(f"{name} {word}".strip()) > NAME_LENGTH:
            break
        name = f"{name} {word}".strip()
    return name.rstrip(".,;:") or (words[0][:NAME_LENGTH] if words else "")


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or with " 2", " 3", ... when ``taken`` has it (within NAME_LENGTH); added to ``taken``."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name[:NAME_LENGTH - len(str(number)) - 1]} {number}"
    taken.add(candidate)
    return candidate


MOODLE_WILDCARD = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
MATH_SPAN = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.DOTALL)
TOLERANCE_TYPES = {1: "relative", 2: "absolute", 3: "relative"}


def map_calculated(imported: ImportedQuestion, mapped: Mapped) -> None:
    if "{=" in imported.text:
        raise Skipped("inline formulas {=…} in the text are not supported (only {name} wildcards)")
    full = [answer for answer in imported.answers if answer.fraction >= FULL]
    if not full:
        raise ValueError("no answer gives full marks (100 %)")
    answer = full[0]
    used = set(MOODLE_WILDCARD.findall(answer.text)) | set(MOODLE_WILDCARD.findall(imported.text))
    missing = sorted(used - set(imported.datasets))
    if missing:
        raise Skipped(f"no dataset definition for the wildcard{'s' * (len(missing) > 1)} {', '.join(missing)}")
    config = {"formula": MOODLE_WILDCARD.sub(r"\1", answer.text),
              "wildcards": {name: imported.datasets[name] for name in sorted(used)},
              "tolerance": answer.tolerance, "tolerance_type": TOLERANCE_TYPES.get(answer.tolerance_type, "relative"),
              "answer_decimals": min(max(answer.length if answer.length is not None else 2, 0), 10)}
    try:
        config = get_generator("formula").clean_config(config)
    except ConfigError as error:
        raise Skipped(f"formula “{answer.text}” not supported: {error}") from None
    mapped.kind = "computed"
    mapped.settings = {"generator": "formula", "generator_config": {
        key: config[key] for key in ("formula", "wildcards", "tolerance", "tolerance_type", "answer_decimals")}}
    mapped.prompt = moodle_placeholders(imported.text, set(used))
    if answer.tolerance_type == 3:
        mapped.warnings.append(f"Moodle's geometric tolerance {answer.tolerance:g} is graded as a relative one here")
    if answer.length_format == 2:
        mapped.warnings.append(f"the answer is shown to {config['answer_decimals']} decimals here, not "
                               "significant figures")
    if len(imported.answers) > 1:
        mapped.warnings.append(f"{len(imported.answers) - 1} more answer(s) dropped: only the formula "
                               f"{answer.text} is accepted")
    if answer.feedback:
        mapped.warnings.append("the feedback of the right answer is dropped (the worked solution follows)")


def moodle_placeholders(text: str, names: set[str]) -> str:
    """Moodle's ``{a}`` wildcards in ``text`` as our placeholders: ``{{ a }}`` inside math, ``${{ a }}$``
    outside it."""
    def fill(part: str, inside: bool) -> str:
        return MOODLE_WILDCARD.sub(
            lambda m: (f"{{{{ {m.group(1)} }}}}" if inside else f"${{{{ {m.group(1)} }}}}$")
            if m.group(1) in names else m.group(0), part)

    pieces, last = [], 0
    for span in MATH_SPAN.finditer(text):
        pieces += [fill(text[last:span.start()], False), fill(span.group(0), True)]
        last = span.end()
    return "".join([*pieces, fill(text[last:], False)])


CLOZE_STEPS = ("numerical", "multichoice")  # the blanks a step can be


def map_cloze(imported: ImportedQuestion, mapped: Mapped) -> None:
    other = [f"blank {b.number} ({b.written})" for b in imported.blanks if b.qtype not in CLOZE_STEPS]
    if other:
        raise Skipped(f"{', '.join(other)}: short-answer, multi-response and regular-expression blanks cannot be "
                      "steps (a step is a number or one choice)")
    steps = [cloze_step(blank, mapped.warnings) for blank in imported.blanks]
    if any(answer.feedback for blank in imported.blanks for answer in blank.answers):
        mapped.warnings.append("the blanks' feedback is dropped: each step is marked right or wrong (the "
                               "explanation follows)")
    try:
        config = get_generator("fixed_steps").clean_config({"steps": steps})
    except ConfigError as error:
        raise ValueError(str(error)) from None
    weights = [blank.weight for blank in imported.blanks]
    mapped.kind, mapped.points = "multi_step", float(sum(weights))
    if imported.points is not None and imported.points != mapped.points:
        mapped.warnings.append(f"points: the sum of the blanks' weights, {sum(weights)}, as in Moodle (which ignores "
                               f"the default grade {imported.points:g} of a cloze question)")
    mapped.settings = {"generator": "fixed_steps", "generator_config": {"steps": config["steps"]},
                       "steps": [{"step": step["name"], "weight": weight} for step, weight in zip(
                           config["steps"], weights, strict=True)],
                       "mode": "all", "carried_credit": 0.0}
    found = [int(n) for n in MARKER.findall(imported.text)]
    lost = [blank.number for blank in imported.blanks if blank.number not in found]
    mapped.prompt = MARKER.sub(lambda m: f"**(step {m.group(1)})**", imported.text)
    if lost:
        mapped.prompt += "\n\n" + " ".join(f"**(step {number})**" for number in lost)
        mapped.warnings.append(f"blank {', '.join(map(str, lost))} stood where the text is not imported (a tag "
                               "that is left out): its step is named at the end of the prompt")


def cloze_step(blank: Blank, warnings: list[str]) -> dict:
    """The ``fixed_steps`` step of a blank (see the module docstring); ValueError when no answer gives full
    marks; warnings for what the step drops."""
    where = f"blank {blank.number}"
    answers = [answer for answer in blank.answers
               if blank.qtype != "numerical" or answer.text != "*"]  # a numerical "*": any other answer
    full = [answer for answer in answers if moodle_grade(answer.fraction) >= FULL]
    if not full:
        raise ValueError(f"{where} ({blank.written}): no answer gives full marks (write = before the right one)")
    partial = [a for a in answers if 0 < moodle_grade(a.fraction) < FULL or moodle_grade(a.fraction) < 0]
    if partial:
        warnings.append(f"{where}: " + ", ".join(f"“{a.text}” ({percent(a.fraction)})" for a in partial)
                        + " score 0 here: a step is right or wrong")
    if len(full) > 1:
        warnings.append(f"{where}: only the first right answer “{full[0].text}” is right here (a step has one)")
    step = {"name": f"s{blank.number}", "title": f"blank {blank.number}"}
    if blank.qtype == "multichoice":
        if blank.shuffled:
            warnings.append(f"{where}: the choices are shown in the file's order (Moodle shuffles them)")
        return {**step, "options": [answer.text for answer in answers], "value": answers.index(full[0])}
    return {**step, "value": float(full[0].text), "tolerance": full[0].tolerance}


MAPPERS = {
    "calculated": map_calculated,
    "calculatedsimple": map_calculated,
    "multichoice": map_multichoice,
    "multichoiceset": map_multichoiceset,
    "truefalse": map_truefalse,
    "shortanswer": map_shortanswer,
    "numerical": map_numerical,
    "cloze": map_cloze,
}
