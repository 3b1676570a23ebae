"""Exporting questions as Moodle XML and GIFT (authoring/interchange/exporting.py, the writers in moodle_xml.py
and gift.py, ``questions_export`` and the export_questions command), and the round trip of the demo course
through each format and back in with import_questions."""

import re
from io import StringIO
from xml.etree import ElementTree

import pytest
from django.core.management import call_command

from authoring.demo import demo_load
from authoring.interchange.exporting import numeric_interval
from authoring.interchange.services import questions_export, questions_import
from courses.models import Course, Lecture
from quizzes.models import Choice, Question, Quiz
from quizzes.rendering import formulas_in, render_markdown
from quizzes.tests.factories import make_question

pytestmark = pytest.mark.django_db


def words(markdown: str) -> str:
    """What a student reads of ``markdown`` without its formulas: the rendered text, tags and math left out."""
    rendered = re.sub(r"<math.*?</math>", " ", render_markdown(markdown), flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", rendered).split())


def formulas(markdown: str) -> list[str]:
    """The formulas of ``markdown``, whitespace collapsed (HTML does not keep line breaks), in a fixed order."""
    return sorted(" ".join(latex.split()) for latex in formulas_in(markdown))


def same_text(ours: str, back: str) -> bool:
    return words(ours) == words(back) and formulas(ours) == formulas(back)


def interval(question: Question, value: float) -> tuple[float, float]:
    center, width, _ = numeric_interval(question, value)
    return center, width


# --- single constructs --------------------------------------------------------------------------------


@pytest.fixture
def small(quiz):
    """A quiz with one question of each exportable construct."""
    single = make_question(quiz=quiz, position=1, uid="pick", title="Pick: one", kind="single",
                           prompt="Which is $\\frac{1}{2}$? {not} ~this = #that", points=2, hint="Halve it.")
    Choice.objects.create(question=single, position=1, text="$0.5$", is_correct=True, feedback="Yes: \\{x\\}.")
    Choice.objects.create(question=single, position=2, text="2", feedback="The inverse.")
    numeric = make_question(quiz=quiz, position=2, uid="count", title="Count", kind="numeric",
                            prompt="How many $\\nabla$?", **{
                                "numeric_answer": 784.0, "numeric_mode": "tolerance", "rtol": 0.01, "atol": 0.5,
                                "wrong_answers": [{"name": "no biases", "value": 700.0, "credit": 0.25,
                                                   "feedback": "Add the $b$."}]})
    make_question(quiz=quiz, position=3, uid="figures", title="Figures", kind="numeric", prompt="Two figures.",
                  **{"numeric_answer": 9.5367431640625e-07, "numeric_mode": "sigfigs", "digits": 2})
    make_question(quiz=quiz, position=4, uid="word", title="Word", kind="text", prompt="Say it.",
                  **{"text_answers": ["Adam*"], "text_mode": "exact",
                            "wrong_answers": [{"name": "sgd", "text": "SGD", "feedback": "No momentum."}]})
    make_question(quiz=quiz, position=5, uid="pattern", title="Pattern", kind="text", prompt="Regex.",
                  **{"text_answers": ["a+"], "text_mode": "regex"})
    return numeric


def test_moodle_xml_has_a_category_per_quiz_then_its_questions(small):
    report = questions_export(course=small.quiz.lecture.course, file_format="moodle")
    root = ElementTree.fromstring(report.content)
    kinds = [(q.get("type"), q.findtext("name/text") or q.findtext("category/text")) for q in root]
    assert kinds == [("category", "$course$/top/Computation Graphs/Self-check"), ("multichoice", "Pick: one"),
                     ("numerical", "Count"), ("numerical", "Figures"), ("shortanswer", "Word")]
    pick, count, figures, word = root[1:]
    assert pick.findtext("questiontext/text") == "<p>Which is \\(\\frac{1}{2}\\)? {not} ~this = #that</p>"
    assert (pick.findtext("defaultgrade"), pick.findtext("hint/text"), pick.findtext("single")) == (
        "2", "<p>Halve it.</p>", "true")
    assert [(a.get("fraction"), a.findtext("text"), a.findtext("feedback/text")) for a in pick.iter("answer")] == [
        ("100", "\\(0.5\\)", "Yes: {x}."), ("0", "2", "The inverse.")]
    assert [(a.get("fraction"), a.findtext("text"), a.findtext("tolerance"), a.findtext("feedback/text"))
            for a in count.iter("answer")] == [
        ("100", "784.0", "8.34", ""), ("25", "700.0", "7.5", "<p>Add the \\(b\\).</p>")]
    assert [(a.findtext("text"), a.findtext("tolerance")) for a in figures.iter("answer")] == [("9.5e-07", "5e-09")]
    assert (word.findtext("usecase"), [a.findtext("text") for a in word.iter("answer")]) == ("1", ["Adam\\*", "SGD"])
    assert [(e.uid, e.status) for e in report.entries] == [
        ("pick", "exported"), ("count", "exported"), ("figures", "converted"), ("word", "exported"),
        ("pattern", "not exportable")]


def test_sigfigs_becomes_the_interval_grading_accepts(small):
    figures = Question.objects.get(uid="figures")
    center, width = interval(figures, 9.5367431640625e-07)
    kind = figures.kind_spec
    inside = [center - 0.99 * width, center + 0.99 * width]
    outside = [center - 1.01 * width, center + 1.01 * width]
    assert [kind.grade(figures, v, choices=(), variant=None).score for v in inside + outside] == [1, 1, 0, 0]


def test_gift_escapes_what_the_reader_unescapes_and_says_what_it_cannot_hold(small, tmp_path):
    report = questions_export(course=small.quiz.lecture.course, file_format="gift")
    text = report.content.decode()
    assert "::Pick\\: one::[html]<p>Which is \\(\\frac\\{1\\}\\{2\\}\\)? \\{not\\} \\~this \\= \\#that</p>{" in text
    assert "&\\#92;nabla" in text  # Moodle would read \n as a line break
    assert "\t=%25%700.0:7.5#<p>Add the \\(b\\).</p>" in text
    messages = {entry.uid: entry.messages for entry in report.entries}
    assert messages["pick"] == ("GIFT has no hints: the hint is left out", "GIFT has no points: Moodle gives 2 → 1")
    assert messages["word"] == ("GIFT cannot say case-sensitive: Moodle compares case-insensitively",)
    (tmp_path / "back.gift").write_bytes(report.content)
    lecture = Lecture.objects.create(course=small.quiz.lecture.course, number=3, title="Back", slug="back")
    questions_import(path=tmp_path / "back.gift", lecture=lecture)
    pick = Question.objects.get(quiz__lecture=lecture, uid="pick-one")
    assert pick.prompt == "Which is $\\frac{1}{2}$? {not} ~this = #that"
    assert [(c.text, c.is_correct, c.feedback) for c in pick.choices.all()] == [
        ("$0.5$", True, "Yes: {x}."), ("2", False, "The inverse.")]
    assert Question.objects.get(quiz__lecture=lecture, uid="count-2").prompt == "How many $\\nabla$?"


def test_the_command_writes_the_file_and_prints_the_report(small, tmp_path):
    out = StringIO()
    call_command("export_questions", "dl", str(tmp_path / "dl.xml"), "--format", "moodle", "--lecture", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Moodle XML: 4 questions exported (1 converted with warnings), 1 not exportable."
    assert "  Self-check: text “Pattern” (uid pattern)" in lines
    assert (tmp_path / "dl.xml").read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')


@pytest.fixture
def by_fractions(quiz):
    """A single- and a multiple-choice question scored by Moodle fractions, negative ones included."""
    single = make_question(quiz=quiz, position=1, uid="partial", title="Partial", kind="single", prompt="Pick.",
                           single_mode="fractions")
    multiple = make_question(quiz=quiz, position=2, uid="weighted", title="Weighted", kind="multiple",
                             prompt="Pick all.", multiple_mode="fractions")
    for question, fractions in ((single, (1.0, 0.5, -0.3333333, 0.0)), (multiple, (0.7, 0.3, -0.25, -1.0))):
        for position, fraction in enumerate(fractions, start=1):
            Choice.objects.create(question=question, position=position, text=f"choice {position}",
                                  is_correct=question.kind_spec.correct_by_fraction(fraction), fraction=fraction)
    return quiz


def test_fractions_go_out_exactly_to_moodle_xml_and_gift(by_fractions):
    course = by_fractions.lecture.course
    report = questions_export(course=course, file_format="moodle")
    root = ElementTree.fromstring(report.content)
    partial, weighted = root[1:]
    assert (partial.findtext("single"), weighted.findtext("single")) == ("true", "false")
    assert [a.get("fraction") for a in partial.iter("answer")] == ["100", "50", "-33.33333", "0"]
    assert [a.get("fraction") for a in weighted.iter("answer")] == ["70", "30", "-25", "-100"]
    assert [(e.uid, e.status, e.messages) for e in report.entries] == [
        ("partial", "exported", ()), ("weighted", "exported", ())]
    gift = questions_export(course=course, file_format="gift").content.decode()
    assert "\t=choice 1\n\t~%50%choice 2\n\t~%-33.33333%choice 3\n\t~choice 4\n" in gift
    assert "\t~%70%choice 1\n\t~%30%choice 2\n\t~%-25%choice 3\n\t~%-100%choice 4\n" in gift


@pytest.mark.parametrize("file_format", ["moodle", "gift"])
def test_fractions_come_back_as_the_same_fractions_and_mode(by_fractions, file_format, tmp_path):
    course = by_fractions.lecture.course
    path = tmp_path / ("back.xml" if file_format == "moodle" else "back.gift")
    path.write_bytes(questions_export(course=course, file_format=file_format).content)
    lecture = Lecture.objects.create(course=course, number=3, title="Back", slug="back")
    report = questions_import(path=path, lecture=lecture)
    assert [(e.uid, e.status, e.messages) for e in report.entries] == [
        ("partial-2", "created", ()), ("weighted-2", "created", ())]
    for original in Question.objects.filter(quiz=by_fractions).prefetch_related("choices"):
        back = Question.objects.prefetch_related("choices").get(quiz__lecture=lecture, uid=f"{original.uid}-2")
        assert (back.kind, back.settings) == (original.kind, original.settings)
        assert [(c.is_correct, c.fraction) for c in back.choices.all()] == [
            (c.is_correct, c.fraction) for c in original.choices.all()]


def test_a_fraction_moodle_does_not_offer_is_exported_with_a_warning(quiz):
    question = make_question(quiz=quiz, position=1, uid="odd", title="Odd", kind="multiple", prompt="Pick.",
                             multiple_mode="fractions")
    for position, fraction in enumerate((0.65, 0.35, -0.5), start=1):
        Choice.objects.create(question=question, position=position, text=str(position), is_correct=fraction > 0,
                              fraction=fraction)
    report = questions_export(course=quiz.lecture.course, file_format="moodle")
    assert report.entries[0].messages == (
        "choice 1: 65 % is not one of Moodle's grades: import with “nearest grade” (Moodle rounds it)",
        "choice 2: 35 % is not one of Moodle's grades: import with “nearest grade” (Moodle rounds it)")


# --- the demo course there and back ---------------------------------------------------------------------

# Differences the formats cannot avoid, which check_round_trip allows for (the reason after each):
# - numeric tolerance: Moodle has one absolute tolerance, so rtol·|answer| + atol arrives as atol, rtol 0
#   (the same interval);
# - numeric mode: significant figures and decimal places arrive as tolerance mode, the rounded answer ± half a
#   unit of its last digit (the same numbers but the interval's upper end);
# - multiple mode: Moodle's core multichoice cannot grade all-or-nothing or each-answer; each-answer arrives as
#   net correct, all-or-nothing as the Moodle fractions it went out as (1/k each right choice, −100 % each wrong);
# - expected wrong answers: Moodle answers have no names; they arrive named by their feedback's first words, and
#   with their tolerance written out when it differs from the question's;
# - markup: Markdown goes out as HTML and comes back as Markdown with inline HTML (**a** → <strong>a</strong>,
#   $$…$$ kept, \(…\) → $…$, line breaks inside formulas → spaces): compared as rendered text and formulas;
# - GIFT only: no hints (left out), no points (1), no case-sensitive short answers (the demo has none).


def check_round_trip(original: Question, back: Question, file_format: str) -> None:
    assert back.kind == original.kind, original.uid
    assert back.title == original.title
    for name in ("prompt", "explanation"):
        assert same_text(getattr(original, name), getattr(back, name)), (original.uid, name)
    if file_format == "moodle":
        assert same_text(original.hint, back.hint) and back.points == original.points, original.uid
    else:
        assert (back.hint, back.points) == ("", 1.0), original.uid
    ours, theirs = list(original.choices.all()), list(back.choices.all())
    assert [c.is_correct for c in ours] == [c.is_correct for c in theirs], original.uid
    assert all(same_text(a.text, b.text) and same_text(a.feedback, b.feedback)
               for a, b in zip(ours, theirs, strict=True)), original.uid
    settings, returned = original.settings, back.settings
    if original.kind == "multiple":
        # net correct and each answer go out as ±1/k, all or nothing as 1/k and −100 %: Moodle's grading of
        # those weights comes back as net correct, or as the fractions themselves
        k = sum(c.is_correct for c in ours)
        if settings["multiple_mode"] == "all_or_nothing":
            assert returned["multiple_mode"] == "fractions", original.uid
            assert [c.fraction for c in theirs] == [
                pytest.approx(1 / k, abs=5e-8) if c.is_correct else -1.0 for c in ours], original.uid
        else:
            assert returned["multiple_mode"] == "net_correct", original.uid
    elif original.kind == "true_false":
        assert returned == settings
    elif original.kind == "text":
        assert returned["text_answers"] == settings["text_answers"], original.uid
        assert returned["text_mode"] == settings["text_mode"]  # the demo's are case-insensitive
    elif original.kind == "numeric":
        center, width = interval(original, settings["numeric_answer"])
        assert returned["numeric_answer"] == center and returned["rtol"] == 0, original.uid
        assert returned["atol"] == pytest.approx(width, rel=1e-9), original.uid
    wrong, wrong_back = settings.get("wrong_answers", []), returned.get("wrong_answers", [])
    assert len(wrong_back) == len(wrong), original.uid
    for entry, entry_back in zip(wrong, wrong_back, strict=True):
        assert same_text(entry["feedback"], entry_back["feedback"]), original.uid
        assert entry_back.get("credit", 0) == entry.get("credit", 0)
        if original.kind == "text":
            assert entry_back["text"] == entry["text"]
        else:
            center, width = interval(original, entry["value"])
            if "rtol" in entry or "atol" in entry:  # its own tolerance
                center, width = entry["value"], entry.get("atol", 0) + entry.get("rtol", 0) * abs(entry["value"])
            assert entry_back["value"] == center
            assert entry_back.get("atol", returned["atol"]) == pytest.approx(width, rel=1e-9)


@pytest.mark.parametrize("file_format", ["moodle", "gift"])
def test_the_demo_course_goes_out_and_comes_back_the_same(file_format, tmp_path):
    demo_load()
    demo = Course.objects.get(slug="deep-learning")
    report = questions_export(course=demo, file_format=file_format)
    path = tmp_path / ("demo.xml" if file_format == "moodle" else "demo.gift")
    path.write_bytes(report.content)
    fresh = Course.objects.create(slug="fresh", title="Fresh", enrolment_code="FRESH")
    lecture = Lecture.objects.create(course=fresh, number=1, title="All", slug="all")
    back = questions_import(path=path, lecture=lecture)
    assert not back.of("error") and not back.of("skipped")
    exported = [entry for entry in report.entries if entry.status != "not exportable"]
    assert len(back.of("created")) == len(exported) == 92
    checked = 0
    for quiz in demo.lectures.order_by("number"):
        for ours in Quiz.objects.filter(lecture=quiz).order_by("position"):
            originals = [q for q in ours.questions.order_by("position").prefetch_related("choices")
                         if q.uid in {entry.uid for entry in exported}]
            returned = list(Question.objects.filter(quiz__lecture=lecture, quiz__title=ours.title)
                            .order_by("position").prefetch_related("choices"))
            assert len(returned) == len(originals), ours.title
            for original, again in zip(originals, returned, strict=True):
                if not original.is_computed:
                    check_round_trip(original, again, file_format)
                    checked += 1
    assert checked == 74
