"""What each of our kinds becomes in Moodle: a ``Question`` as the neutral ``ImportedQuestion`` the writers take.

The reverse of ``authoring.interchange.mapping``, one function per kind in ``EXPORTERS``. Texts become
HTML with TeX for Moodle's MathJax filter (``markup.to_html``); the writers write them as they are.

- single: multichoice with one answer: the correct choice 100 %, the others 0; scored by Moodle fractions,
  each choice's fraction. Exact.
- multiple, net correct: each correct choice 1/k, each other −1/k. Moodle adds the weights of the picks
  and keeps the sum between 0 and 1, which is (right − wrong picks) / k, at least 0: exact.
  All or nothing: correct choices 1/k, the others −100 %: a wrong pick still gives 0, but Moodle gives
  part of the points for some of the right choices (warning; Moodle's all-or-nothing needs the
  multichoiceset plugin). Each answer: weighted as net correct (warning: Moodle gives nothing for a
  choice rightly left out). A weight 1/k not in Moodle's list of grades (k = 11 to 19, or over 20) needs
  "nearest grade" when importing (warning). Moodle fractions: each choice's fraction. Exact.
- a fraction that is not one of Moodle's grades (``MOODLE_FRACTIONS``) needs "nearest grade" when importing
  into Moodle (warning).
- true_false: truefalse. Exact.
- text: shortanswer, exact mode as case sensitive; ``*`` written ``\\*`` (Moodle's wildcard). Regular
  expressions: not exportable. Expected wrong answers: answers with fraction credit·100 and their feedback.
- numeric: numerical, the answer with Moodle's absolute tolerance atol + rtol·|answer|. Significant
  figures and decimal places: the answer rounded as grading rounds it, ± half a unit of its last digit
  (warning: the same numbers, but Moodle's interval includes its upper end). Expected wrong answers:
  answers with fraction credit·100, their feedback and the comparison at their value (or their own
  rtol and atol).
- computed with the ``formula`` generator, to Moodle XML: calculatedsimple (``export_formula``), the
  formula in Moodle's syntax (``authoring.interchange.calculated``), each wildcard's dataset with the values
  of the first seeds for Moodle to draw from, the tolerance (relative: tolerancetype 1, absolute: 2, the
  question's own rtol/atol when it has them) and the answer's decimals; ``{{ a }}`` in the prompt as ``{a}``
  (warning: Moodle draws from those values, the worked solution is not exported). A formula Moodle cannot
  write, and GIFT (which has no calculated questions), fall back to the fixed variant below, with a warning.
- computed: the variant of seed 0, as a numerical question (warning): its prompt with its numbers, the
  worked solution before the explanation in the general feedback, named mistakes as 0 % answers with
  their message; a diagram is left out (warning). computed_array: not exportable.
- multi_step with the ``fixed_steps`` generator, to Moodle XML: cloze (``export_multi_step``), each asked
  step N a blank where the prompt says **(step N)** (at the end when it does not, warning): a number as
  NUMERICAL with its absolute tolerance, a choice as MULTICHOICE_V with its options, the right one 100 %;
  its weight rounded to a whole number of at least 1 (warning when that changes it; Moodle's mark is their
  sum, warning when the points differ). GIFT (no cloze questions) and other generators: not exportable.
- explanation, hint, points: general feedback, hint, default grade.
- images (``![alt](image:NAME)`` in any text): ``<img src="@@PLUGINFILE@@/NAME">``, the names collected in
  ``Exported.images`` (the caller adds the course's files, ``authoring.interchange.embedded``).
"""

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from authoring.interchange.calculated import ITEMS, NotMoodle, dataset_items, datasets, moodle_formula, moodle_text
from authoring.interchange.cloze import blank_syntax
from authoring.interchange.imported import Answer, ImportedQuestion
from authoring.interchange.markup import images_as_files, to_html
from quizzes.kinds.computed import fill_prompt
from quizzes.models import Question
from quizzes.rendering import formulas_in

# Moodle's grades (question_bank::fraction_options): an imported fraction must be one of them (or their
# negatives), unless the import is told to take the nearest.
MOODLE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
SEED = 0  # the variant of a computed question that is exported


class NotExportable(Exception):
    """The question has no Moodle equivalent; the message is the reason shown in the report."""


@dataclass
class Exported:
    """A question in Moodle's model (texts HTML, answers plain) and how it differs from ours."""

    question: ImportedQuestion
    warnings: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # the course images the texts show, each once
    file_format: str = "moodle"  # or "gift": what the file can hold

    def html(self, text: str, *, inline: bool = False) -> str:
        """``text`` (Markdown) as HTML, its images shown from Moodle's files (their names added to
        ``images``); a warning when a formula is not found as our renderer finds it."""
        converted, found = to_html(text, inline=inline)
        if sorted(" ".join(f.split()) for f in found) != sorted(" ".join(f.split()) for f in formulas_in(text)):
            self.warnings.append(f"a formula in “{text[:40]}…” may not be shown as here: check it in Moodle")
        converted, names = images_as_files(converted)
        self.images += [name for name in names if name not in self.images]
        return converted


def to_moodle(question: Question, *, file_format: str = "moodle") -> Exported:
    """``question`` (its choices prefetched) in Moodle's model for a ``file_format`` "moodle" (XML) or "gift"
    file; raises NotExportable. See the module docstring."""
    exporter = EXPORTERS.get(question.kind)
    if exporter is None:
        raise NotExportable(f"kind {question.kind} has no Moodle equivalent")
    exported = Exported(ImportedQuestion(where=question.uid, qtype="", name=question.title or question.uid,
                                         points=question.points))
    moodle = exported.question
    moodle.hint = exported.html(question.hint)
    moodle.general_feedback = exported.html(question.explanation)
    moodle.text = exported.html(question.prompt)
    exported.file_format = file_format
    exporter(question, exported)
    return exported


def setting(question: Question, name: str):
    return question.kind_spec.setting(question, name)


def fraction_warning(fraction: float, what: str) -> str | None:
    """A warning when ``fraction`` is not one of Moodle's grades (Moodle's import then needs "nearest grade")."""
    if any(math.isclose(abs(fraction), allowed, abs_tol=5e-7) for allowed in MOODLE_FRACTIONS):
        return None
    return (f"{what}: {fraction * 100:.7g} % is not one of Moodle's grades: import with “nearest grade” "
            "(Moodle rounds it)")


def export_single(question: Question, exported: Exported) -> None:
    exported.question.qtype, exported.question.single = "multichoice", True
    if question.kind_spec.uses_fractions(question.settings):
        export_fractions(question, exported)
        return
    exported.question.answers = [Answer(exported.html(c.text, inline=True), 1.0 if c.is_correct else 0.0,
                                        exported.html(c.feedback, inline=True)) for c in question.choices.all()]


def export_fractions(question: Question, exported: Exported) -> None:
    """The choices of a question scored by Moodle fractions, each with its own fraction: Moodle grades them
    as we do; a warning for each fraction Moodle's import will not take as it is."""
    choices = list(question.choices.all())
    exported.question.answers = [Answer(exported.html(c.text, inline=True), c.fraction,
                                        exported.html(c.feedback, inline=True)) for c in choices]
    for number, choice in enumerate(choices, start=1):
        problem = fraction_warning(choice.fraction, f"choice {number}")
        if problem:
            exported.warnings.append(problem)


def export_multiple(question: Question, exported: Exported) -> None:
    choices = list(question.choices.all())
    k = sum(choice.is_correct for choice in choices)
    mode = setting(question, "multiple_mode")
    if mode == "fractions":
        exported.question.qtype, exported.question.single = "multichoice", False
        export_fractions(question, exported)
        return
    wrong = -1.0 if mode == "all_or_nothing" else -1 / k
    exported.question.qtype, exported.question.single = "multichoice", False
    exported.question.answers = [Answer(exported.html(c.text, inline=True), 1 / k if c.is_correct else wrong,
                                        exported.html(c.feedback, inline=True)) for c in choices]
    if mode == "all_or_nothing":
        exported.warnings.append(f"all or nothing here; in Moodle each of the {k} correct choices gives 1/{k} and a "
                                 "wrong pick −100 %, so some of the right choices earn part of the points")
    elif mode == "each_answer":
        exported.warnings.append(f"each answer here; in Moodle net correct (each correct pick +1/{k}, each wrong "
                                 f"pick −1/{k}): a choice rightly left out earns nothing")
    problem = fraction_warning(1 / k, f"each of the {k} correct choices")
    if problem:
        exported.warnings.append(problem)


def export_true_false(question: Question, exported: Exported) -> None:
    truth = bool(setting(question, "true_false_answer"))
    exported.question.qtype = "truefalse"
    exported.question.answers = [Answer("true", float(truth)), Answer("false", float(not truth))]


def export_text(question: Question, exported: Exported) -> None:
    mode = setting(question, "text_mode")
    if mode == "regex":
        raise NotExportable("regular-expression answers have no Moodle equivalent (its * wildcard is all it has)")
    moodle = exported.question
    moodle.qtype, moodle.usecase = "shortanswer", mode == "exact"
    moodle.answers = [Answer(text.replace("*", "\\*"), 1.0) for text in setting(question, "text_answers")]
    for number, entry in enumerate(setting(question, "wrong_answers"), start=1):
        credit = float(entry.get("credit", 0))
        moodle.answers.append(Answer(entry["text"].replace("*", "\\*"), credit, exported.html(entry["feedback"])))
        problem = fraction_warning(credit, f"wrong answer {number} “{entry['name']}”")
        if problem:
            exported.warnings.append(problem)


def export_numeric(question: Question, exported: Exported) -> None:
    answer = setting(question, "numeric_answer")
    center, tolerance, how = numeric_interval(question, answer)
    moodle = exported.question
    moodle.qtype = "numerical"
    moodle.answers = [Answer(number_text(center), 1.0, "", tolerance)]
    if how:
        exported.warnings.append(f"{how}: Moodle accepts {number_text(center)} ± {tolerance:.12g}, the same numbers "
                                 "(its interval includes the upper end, rounding here leaves it out)")
    for number, entry in enumerate(setting(question, "wrong_answers"), start=1):
        credit = float(entry.get("credit", 0))
        if "rtol" in entry or "atol" in entry:
            value, width = entry["value"], entry.get("atol", 0.0) + entry.get("rtol", 0.0) * abs(entry["value"])
        else:
            value, width, _ = numeric_interval(question, entry["value"])
        moodle.answers.append(Answer(number_text(value), credit, exported.html(entry["feedback"]), width))
        problem = fraction_warning(credit, f"wrong answer {number} “{entry['name']}”")
        if problem:
            exported.warnings.append(problem)


def numeric_interval(question: Question, value: float) -> tuple[float, float, str]:
    """(center, absolute tolerance, how it was converted or "") of the numbers the question's comparison
    accepts for ``value``: atol + rtol·|value| around it, or for significant figures and decimal places
    ``value`` rounded half-up as ``quizzes.grading`` rounds it, ± half a unit of its last digit."""
    mode, digits = setting(question, "numeric_mode"), setting(question, "digits")
    if mode == "tolerance":
        return value, setting(question, "atol") + setting(question, "rtol") * abs(value), ""
    exact = Decimal(repr(float(value)))
    if exact.is_zero():
        return 0.0, 0.0, f"{digits} significant figures of 0"
    exponent = exact.adjusted() - digits + 1 if mode == "sigfigs" else -digits
    with localcontext() as context:
        context.prec = 400
        rounded = exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    how = f"{digits} significant figures" if mode == "sigfigs" else f"{digits} decimal places"
    return float(rounded), float(Decimal(5).scaleb(exponent - 1)), how


def number_text(value: float) -> str:
    """A number as Moodle reads it: the shortest form that is the same float."""
    return repr(float(value))


def export_computed(question: Question, exported: Exported) -> None:
    kind = question.kind_spec
    if kind.generator(question).slug == "formula":
        if exported.file_format == "gift":
            exported.warnings.append("GIFT has no calculated questions: exported as one fixed variant (Moodle XML "
                                     "carries the formula)")
        else:
            try:
                export_formula(question, exported)
                return
            except NotMoodle as reason:
                exported.warnings.append(f"{reason}: exported as one fixed variant, not as a calculated question")
    variant = kind.generator(question).generate(SEED, kind.config(question))
    tolerance = kind.tolerance(question, variant)

    def width(value: float) -> float:
        return tolerance["atol"] + tolerance["rtol"] * abs(value)

    moodle = exported.question
    moodle.qtype = "numerical"
    moodle.text = exported.html(fill_prompt(question.prompt.strip() or variant.prompt, variant.params))
    steps = "\n\n".join(f"**{step.title}.** {step.body}" for step in variant.steps)
    moodle.general_feedback = exported.html("\n\n".join(t for t in (steps, question.explanation) if t.strip()))
    moodle.answers = [Answer(number_text(variant.answer), 1.0, "", width(variant.answer))]
    for mistake in variant.mistakes:
        if isinstance(mistake.value, int | float) and abs(mistake.value - variant.answer) > width(variant.answer):
            moodle.answers.append(Answer(number_text(mistake.value), 0.0, exported.html(mistake.message),
                                         width(mistake.value)))
    exported.warnings.append(f"computed: every Moodle student gets the numbers of the variant of seed {SEED} "
                             f"(answer {number_text(variant.answer)})")
    if variant.diagram:
        exported.warnings.append("the diagram of the network is left out")


def export_formula(question: Question, exported: Exported) -> None:
    """A question of the ``formula`` generator as Moodle's calculatedsimple (see the module docstring);
    NotMoodle (nothing changed) when Moodle cannot write its formula."""
    kind = question.kind_spec
    generator, config = kind.generator(question), kind.config(question)
    formula = moodle_formula(config["formula"], config["wildcards"])
    if setting(question, "own_tolerance"):
        rtol, atol = setting(question, "rtol"), setting(question, "atol")
        relative = rtol > 0 or atol == 0
        if rtol > 0 and atol > 0:
            exported.warnings.append(f"Moodle has one tolerance: relative {rtol:g} is exported, the absolute "
                                     f"{atol:g} is left out")
        tolerance = rtol if relative else atol
    else:
        relative, tolerance = config["tolerance_type"] == "relative", config["tolerance"]
    moodle = exported.question
    moodle.qtype = "calculatedsimple"
    moodle.text = exported.html(moodle_text(question.prompt.strip() or generator.prompt(config)))
    moodle.answers = [Answer(formula, 1.0, "", tolerance, tolerance_type=1 if relative else 2,
                             length=config["answer_decimals"], length_format=1)]
    moodle.datasets = datasets(config)
    moodle.dataset_items = dataset_items(generator, config, moodle.datasets)
    exported.warnings.append(f"calculated: Moodle gives each student one of the {ITEMS} sets of values written in "
                             "the file (here every student gets a fresh draw), and shows no worked solution")


def export_computed_array(question: Question, exported: Exported) -> None:
    raise NotExportable("a vector or matrix answer has no Moodle equivalent (numerical takes one number)")


STEP_MARKER = re.compile(r"<strong>\(step (\d+)\)</strong>")  # **(step N)** in the prompt, as to_html writes it


def export_multi_step(question: Question, exported: Exported) -> None:
    kind = question.kind_spec
    generator = kind.generator(question)
    if generator.slug != "fixed_steps":
        raise NotExportable(f"a multi-step question of the generator {generator.slug} has no Moodle equivalent "
                            "(only fixed values, fixed_steps, become a cloze question)")
    if exported.file_format == "gift":
        raise NotExportable("GIFT has no cloze (embedded answers) questions: export it as Moodle XML")
    entries = {entry["name"]: entry for entry in kind.config(question)["steps"]}
    blanks = {}
    for number, asked in enumerate(setting(question, "steps"), start=1):
        entry, weight = entries[asked["step"]], float(asked.get("weight", 1))
        whole = max(round(weight), 1)
        if whole != weight:
            exported.warnings.append(f"step {number}: Moodle's weights are whole numbers: {weight:g} → {whole}")
        if "options" in entry:
            answers = [Answer(exported.html(text, inline=True), 1.0 if index == entry["value"] else 0.0)
                       for index, text in enumerate(entry["options"])]
            blanks[number] = blank_syntax(whole, "MULTICHOICE_V", answers)
        else:
            blanks[number] = blank_syntax(whole, "NUMERICAL",
                                          [Answer(number_text(entry["value"]), 1.0, "", entry["tolerance"])])
    moodle = exported.question
    moodle.qtype = "cloze"
    moodle.text = STEP_MARKER.sub(lambda m: blanks.pop(int(m.group(1)), m.group(0)), moodle.text)
    if blanks:
        moodle.text += "".join(f"<p>{blank}</p>" for blank in blanks.values())
        exported.warnings.append(f"the prompt does not say where step {', '.join(map(str, blanks))} goes (write "
                                 "**(step N)**): its blank is put at the end")
    total = sum(max(round(float(asked.get("weight", 1))), 1) for asked in setting(question, "steps"))
    if question.points != total:
        exported.warnings.append(f"Moodle gives a cloze question the sum of its blanks' weights, {total} points "
                                 f"(here {question.points:g})")


EXPORTERS = {
    "single": export_single,
    "multiple": export_multiple,
    "true_false": export_true_false,
    "text": export_text,
    "numeric": export_numeric,
    "computed": export_computed,
    "computed_array": export_computed_array,
    "multi_step": export_multi_step,
}
