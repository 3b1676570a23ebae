"""Moodle's calculated and calculatedsimple questions imported as computed questions of the formula generator,
and those exported as calculatedsimple (authoring/interchange/calculated.py), there and back."""

from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from authoring.interchange import calculated
from authoring.interchange.calculated import ITEMS, moodle_formula
from authoring.interchange.mapping import MOODLE_WILDCARD
from authoring.interchange.services import questions_export, questions_import
from compute.expressions import FUNCTIONS, parse
from compute.generators import get_generator
from courses.models import Course, Lecture
from quizzes.kinds.computed import fill_prompt
from quizzes.models import Question
from quizzes.tests.factories import make_question

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def imported(lecture):
    report = questions_import(path=SAMPLES / "calculated.xml", lecture=lecture)
    return report, {q.uid: q for q in Question.objects.filter(quiz__lecture=lecture)}


def test_calculated_becomes_the_formula_generator_with_moodles_datasets_and_tolerance(imported):
    report, questions = imported
    assert [(e.uid, e.kind, e.quiz) for e in report.of("created")] == [
        ("ohm", "computed", "Formulas"), ("geometric", "computed", "Formulas"), ("absolute", "computed", "Formulas")]
    ohm = questions["ohm"]
    assert (ohm.points, ohm.explanation, ohm.settings["generator"]) == (2.0, "Ohm's law.", "formula")
    assert ohm.settings["generator_config"] == {
        "formula": "R * I", "tolerance": 0.05, "tolerance_type": "relative", "answer_decimals": 3,
        "wildcards": {"I": {"min": 0.1, "max": 2.0, "decimals": 2, "distribution": "uniform"},
                      "R": {"min": 10.0, "max": 100.0, "decimals": 0, "distribution": "uniform"}}}
    assert ohm.prompt == ("A resistor of ${{ R }}$ Ω carries ${{ I }}$ A. What is the voltage $U = R I$ in V, "
                          "with $I^2 = {{ I }}^2$?")
    absolute = questions["absolute"].settings["generator_config"]
    assert (absolute["tolerance"], absolute["tolerance_type"], absolute["answer_decimals"]) == (0.01, "absolute", 2)


def test_an_imported_variant_shows_the_numbers_its_answer_is_computed_from(imported):
    _, questions = imported
    config = questions["ohm"].settings["generator_config"]
    variant = get_generator("formula").generate(3, config)
    resistance, current = variant.params["R"], variant.params["I"]
    assert 10 <= resistance <= 100 and resistance == round(resistance)
    assert 0.1 <= current <= 2 and current == round(current, 2)
    assert variant.answer == resistance * current and variant.tolerance == {"rtol": 0.05, "atol": 0.0}
    assert f"${resistance:g}$ Ω carries ${current:g}$ A" in fill_prompt(questions["ohm"].prompt, variant.params)


def test_what_grades_or_shows_differently_is_reported(imported):
    report, _ = imported
    warnings = {e.uid: e.messages for e in report.of("created")}
    assert "Moodle's geometric tolerance 0.5 is graded as a relative one here" in warnings["geometric"]
    assert "the answer is shown to 4 decimals here, not significant figures" in warnings["geometric"]
    assert "1 more answer(s) dropped: only the formula sqrt({x}) + log({y}) is accepted" in warnings["geometric"]
    assert not warnings["ohm"]


def test_what_cannot_be_imported_is_skipped_with_the_reason(imported):
    report, _ = imported
    skipped = {e.where: e.messages[0] for e in report.of("skipped")}
    assert skipped["question 4 “Inline”"] == (
        "inline formulas {=…} in the text are not supported (only {name} wildcards)")
    assert skipped["question 5 “Missing”"] == "no dataset definition for the wildcards b, c"
    assert skipped["question 6 “Hostile”"].startswith(
        "formula “{a}.__class__” not supported: Not allowed in a formula: attribute access")


# --- export: formula questions as Moodle's calculatedsimple (authoring/interchange/calculated.py) --------------


def test_formula_questions_go_to_moodle_as_calculatedsimple(imported):
    _, questions = imported
    report = questions_export(course=questions["ohm"].quiz.lecture.course, file_format="moodle")
    root = ElementTree.fromstring(report.content)
    ohm = root.find("question[@type='calculatedsimple']")
    assert ohm is not None and ohm.findtext("name/text") == "Ohm"
    assert ohm.findtext("questiontext/text") == (
        "<p>A resistor of {R} Ω carries {I} A. What is the voltage \\(U = R I\\) in V, with \\(I^2 = {I}^2\\)?</p>")
    answer = ohm.find("answer")
    assert (answer.get("fraction"), answer.findtext("text"), answer.findtext("tolerance"), answer.findtext(
        "tolerancetype"), answer.findtext("correctanswerformat"), answer.findtext("correctanswerlength")) == (
        "100", "{R} * {I}", "0.05", "1", "1", "3")
    definitions = {d.findtext("name/text"): d for d in ohm.iter("dataset_definition")}
    assert sorted(definitions) == ["I", "R"]
    current = definitions["I"]
    assert [current.findtext(path) for path in ("status/text", "type", "distribution/text", "minimum/text",
                                                "maximum/text", "decimals/text", "itemcount", "number_of_items")] == [
        "private", "calculatedsimple", "uniform", "0.1", "2.0", "2", str(ITEMS), str(ITEMS)]
    values = [item.findtext("value") for item in current.iter("dataset_item")]
    assert len(values) == ITEMS and len(set(values)) > 1
    assert all(0.1 <= float(v) <= 2 and len(v.partition(".")[2]) == 2 for v in values)
    config = questions["ohm"].settings["generator_config"]
    first = get_generator("formula").generate(0, config).params  # the values a student of seed 0 gets here
    assert (values[0], definitions["R"].find("dataset_items/dataset_item/value").text) == (
        f"{first['I']:.2f}", f"{first['R']:.0f}")
    ohm_entry = next(entry for entry in report.entries if entry.uid == "ohm")
    assert ohm_entry.messages == (f"calculated: Moodle gives each student one of the {ITEMS} sets of values written "
                                  "in the file (here every student gets a fresh draw), and shows no worked solution",)


def test_calculated_questions_come_back_with_the_same_config(imported, tmp_path):
    _, questions = imported
    report = questions_export(course=questions["ohm"].quiz.lecture.course, file_format="moodle")
    assert [entry.status for entry in report.entries] == ["converted"] * 3
    (tmp_path / "out.xml").write_bytes(report.content)
    fresh = Course.objects.create(slug="fresh", title="Fresh", enrolment_code="FRESH")
    lecture = Lecture.objects.create(course=fresh, number=1, title="All", slug="all")
    back = questions_import(path=tmp_path / "out.xml", lecture=lecture)
    assert [entry.uid for entry in back.of("created")] == ["ohm", "geometric", "absolute"]
    for again in Question.objects.filter(quiz__lecture=lecture):
        original = questions[again.uid]
        assert again.settings["generator_config"] == original.settings["generator_config"], again.uid
        assert (again.prompt, again.explanation, again.points) == (
            original.prompt, original.explanation, original.points), again.uid


FORMULAS = ["R*I", "a ** 2 + max(b)", "(a + b) ** 2 / (c - d) - -e", "-(-a) * 2 ** -b % 3", "a--b",
            "min(a) * -max(b, c)", "a - (b - c) / (d * e)", "1_000 * a + 0x10 - 2.5e-3",
            "log(a, 2) + pi() * round(b, 1)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_in_moodles_syntax_computes_the_same(formula):
    names = ["a", "b", "c", "d", "e", "R", "I"]
    written = moodle_formula(formula, names)
    assert "**" not in written and "--" not in written and "_" not in written and "0x" not in written
    ours = parse(formula, names)
    theirs = parse(MOODLE_WILDCARD.sub(r"\1", written), names)  # what our import makes of it
    values = {name: np.linspace(0.5 + i, 7.5 - i, 13) for i, name in enumerate(names)}
    value, defined = ours.evaluate(values)
    again, defined_again = theirs.evaluate(values)
    assert defined.any() and (defined == defined_again).all()
    np.testing.assert_allclose(again[defined], value[defined], rtol=1e-15)
    assert set(ours.names) == {name for name in names if f"{{{name}}}" in written}


def test_a_formula_moodle_can_read_is_written_as_it_is():
    assert moodle_formula("R*I", ["R", "I"]) == "{R}*{I}"
    assert moodle_formula("sqrt(x) + log(y)", ["x", "y"]) == "sqrt({x}) + log({y})"
    assert moodle_formula("a ** 2 + max(b)", ["a", "b"]) == "pow({a}, 2) + {b}"
    assert moodle_formula("-(-a)", ["a"]) == "-(-{a})"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_of_ours_is_one_of_moodles(name):
    low, high, _, _ = FUNCTIONS[name]
    count = high if high is not None else 2
    written = moodle_formula(f"{name}({', '.join(['a'] * count)})", ["a"])
    assert written == f"{name}({', '.join(['{a}'] * count)})"


def make_formula(quiz, uid: str, formula: str, **settings) -> Question:
    config = {"formula": formula, "wildcards": {"a": {"min": 1, "max": 3, "decimals": 1}}, "tolerance": 0.01,
              "tolerance_type": "relative", "answer_decimals": 2}
    return make_question(quiz=quiz, uid=uid, title=uid.title(), kind="computed", prompt="Compute for $a = {{ a }}$.",
                         generator="formula", generator_config={**config, **settings.pop("config", {})}, **settings)


def test_a_function_moodle_lacks_falls_back_to_a_fixed_variant(quiz, monkeypatch):
    make_formula(quiz, "growth", "expm1(a)")
    monkeypatch.delitem(calculated.MOODLE_FUNCTIONS, "expm1")
    report = questions_export(course=quiz.lecture.course, file_format="moodle")
    root = ElementTree.fromstring(report.content)
    assert [question.get("type") for question in root] == ["category", "numerical"]
    assert report.entries[0].messages[0] == ("Moodle's formulas have no function expm1(): exported as one fixed "
                                             "variant, not as a calculated question")


def test_gift_gets_the_fixed_variant_with_a_warning(quiz):
    make_formula(quiz, "square", "a ** 2")
    report = questions_export(course=quiz.lecture.course, file_format="gift")
    variant = get_generator("formula").generate(0, Question.objects.get(uid="square").settings["generator_config"])
    assert f"{{\n\t#\n\t={variant.answer!r}:" in report.content.decode()  # numerical
    assert report.entries[0].messages[0] == ("GIFT has no calculated questions: exported as one fixed variant "
                                             "(Moodle XML carries the formula)")


def test_the_questions_own_tolerance_and_fixed_values_are_exported(quiz):
    make_formula(quiz, "own", "a * 3", own_tolerance=True, rtol=0.0, atol=0.25, config={"fixed": {"a": 2.25}})
    root = ElementTree.fromstring(questions_export(course=quiz.lecture.course, file_format="moodle").content)
    question = root.find("question[@type='calculatedsimple']")
    assert (question.findtext("answer/tolerance"), question.findtext("answer/tolerancetype")) == ("0.25", "2")
    definition = question.find("dataset_definitions/dataset_definition")
    assert [definition.findtext(path) for path in ("minimum/text", "maximum/text", "decimals/text")] == [
        "2.25", "2.25", "2"]
    assert {item.text for item in definition.iter("value")} == {"2.25"}
