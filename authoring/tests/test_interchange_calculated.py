"""Moodle's calculated and calculatedsimple questions imported as computed questions of the formula generator."""

from pathlib import Path

import pytest

from authoring.interchange.services import questions_import
from compute.generators import get_generator
from quizzes.kinds.computed import fill_prompt
from quizzes.models import Question

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
