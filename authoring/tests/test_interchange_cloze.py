"""Moodle's cloze (embedded answers) questions imported as multi-step questions of the fixed_steps generator
(authoring/interchange/cloze.py, mapping.map_cloze), answered by a student, and exported back as cloze."""

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from authoring.interchange.cloze import ClozeError, blank_syntax, blanks_in
from authoring.interchange.imported import Answer
from authoring.interchange.mapping import Skipped, map_question
from authoring.interchange.moodle_xml import parse_moodle_xml
from authoring.interchange.services import questions_export, questions_import
from courses.models import Course, Lecture
from quizzes.models import Question, Submission

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def imported(lecture):
    report = questions_import(path=SAMPLES / "cloze.xml", lecture=lecture)
    return report, {q.uid: q for q in Question.objects.filter(quiz__lecture=lecture)}


def cloze_file(text: str, name: str = "Blanks") -> bytes:
    return (f'<quiz><question type="cloze"><name><text>{name}</text></name><questiontext format="html">'
            f"<text><![CDATA[{text}]]></text></questiontext></question></quiz>").encode()


def test_a_cloze_question_becomes_a_multi_step_question_of_fixed_values(imported):
    report, questions = imported
    assert [(e.uid, e.kind, e.quiz) for e in report.of("created")] == [
        ("mean-and-activation", "multi_step", "Blanks"), ("escapes", "multi_step", "Blanks")]
    mean = questions["mean-and-activation"]
    assert mean.prompt == ("The mean of 2 and 3 is **(step 1)**.\n\n"
                           "Which activation is $\\max(0, x)$? **(step 2)**")
    assert (mean.points, mean.explanation) == (3.0, "(2 + 3) / 2 = 2.5, and ReLU is $\\max(0, x)$.")
    settings = mean.settings
    assert (settings["generator"], settings["mode"], settings["carried_credit"]) == ("fixed_steps", "all", 0.0)
    assert settings["steps"] == [{"step": "s1", "weight": 2}, {"step": "s2", "weight": 1}]
    assert settings["generator_config"]["steps"] == [
        {"name": "s1", "title": "blank 1", "symbol": "\\square_{1}", "value": 2.5, "tolerance": 0.1},
        {"name": "s2", "title": "blank 2", "symbol": "\\square_{2}", "options": ["$\\tanh$", "ReLU", "sigmoid"],
         "value": 1}]


def test_escapes_a_decimal_comma_and_a_missing_weight(imported):
    _, questions = imported
    escapes = questions["escapes"]
    steps = escapes.settings["generator_config"]["steps"]
    assert steps[0]["options"] == ["a } b", "c # d", "e ~ f / g", 'h " i \\\\ j']  # Markdown's \\ is one \
    assert (steps[0]["value"], steps[1]["value"], steps[1]["tolerance"]) == (0, 1.5, 0.0)
    assert escapes.settings["steps"] == [{"step": "s1", "weight": 1}, {"step": "s2", "weight": 1}]
    assert (escapes.prompt, escapes.points) == ("Pick **(step 1)** and type **(step 2)**.", 2.0)


def test_what_a_step_drops_is_reported_and_other_blanks_are_skipped(imported):
    report, _ = imported
    warnings = {e.uid: e.messages for e in report.of("created")}
    assert warnings["mean-and-activation"] == (
        "blank 1: “2.4” (50 %) score 0 here: a step is right or wrong",
        "blank 2: “sigmoid” (-50 %) score 0 here: a step is right or wrong",
        "the blanks' feedback is dropped: each step is marked right or wrong (the explanation follows)")
    assert warnings["escapes"] == ("blank 1: the choices are shown in the file's order (Moodle shuffles them)",)
    assert [(e.where, e.messages) for e in report.of("skipped")] == [
        ("question 3 “Words”", ("blank 1 (SHORTANSWER), blank 2 (MULTIRESPONSE): short-answer, multi-response and "
                                "regular-expression blanks cannot be steps (a step is a number or one choice)",))]


def test_points_are_the_sum_of_the_weights_as_in_moodle():
    data = cloze_file("<p>{3:NM:=1} {:MC:=a~b}</p>").replace(b"</question>",
                                                             b"<defaultgrade>5</defaultgrade></question>")
    mapped = map_question(parse_moodle_xml(data)[0])
    assert (mapped.points, [step["weight"] for step in mapped.settings["steps"]]) == (4.0, [3, 1])
    assert mapped.warnings == ["points: the sum of the blanks' weights, 4, as in Moodle (which ignores the default "
                               "grade 5 of a cloze question)"]


@pytest.mark.parametrize(("text", "message"), [
    ("<p>x = {1:NUMERICAL:=2.5:0.1</p>", "blank 1 (character 8 of the question text, “{1:NUMERICAL:=2.5:0.1</p>…”): "
                                         "never closed with “}”"),
    ("<p>{1:NM:=2} and {2:NUMERIC:=3}</p>", "blank 2 (character 18 of the question text, “{2:NUMERIC:=3}</p>…”): "
                                            "unknown type NUMERIC"),
    ("<p>{1:NM:=two}</p>", "answer 1: “two” is not a number"),
    ("<p>{1:NM:=2:tiny}</p>", "answer 1: “tiny” is not a number"),
    ("<p>{1:MC:=yes~}</p>", "answer 2 is empty"),
    ("<p>no blanks</p>", "a cloze question without blanks"),
])
def test_a_malformed_cloze_is_an_error_with_its_place(text, message):
    [question] = parse_moodle_xml(cloze_file(text))
    assert message in question.error
    assert question.error.startswith("blank") or "without blanks" in question.error


@pytest.mark.parametrize(("text", "message"), [
    ("<p>{1:NM:%50%2~3}</p>", "blank 1 (NM): no answer gives full marks"),
    ("<p>{1:MC:yes~no}</p>", "blank 1 (MC): no answer gives full marks"),
    ("<p>{1:MC:=yes}</p>", "Step 1: “options” must be a list of 2 to 30 texts"),
])
def test_a_blank_that_cannot_be_graded_is_an_error(text, message):
    [question] = parse_moodle_xml(cloze_file(text))
    assert not question.error
    with pytest.raises(ValueError) as error:
        map_question(question)
    assert not isinstance(error.value, Skipped) and message in str(error.value)


def test_an_import_with_a_malformed_cloze_imports_nothing(lecture, tmp_path):
    (tmp_path / "bad.xml").write_bytes(cloze_file("<p>{1:NM:=2} {2:MC:=a~b</p>"))
    report = questions_import(path=tmp_path / "bad.xml", lecture=lecture)
    assert [(e.status, e.messages[0][:7]) for e in report.entries] == [("error", "blank 2")]
    assert not Question.objects.exists()


def test_scripts_in_a_cloze_do_not_survive(lecture, tmp_path):
    text = '<p onclick="alert(1)">Pick <script>alert(2)</script>{1:MC:=<b>bold</b>~<img src=x onerror=alert(3)>x}</p>'
    (tmp_path / "x.xml").write_bytes(cloze_file(text))
    questions_import(path=tmp_path / "x.xml", lecture=lecture)
    question = Question.objects.get()
    options = question.settings["generator_config"]["steps"][0]["options"]
    assert question.prompt == "Pick **(step 1)**"
    assert options[0] == "<b>bold</b>" and "alert" not in options[1] and "onerror" not in options[1]


def test_blanks_are_written_as_they_are_read():
    answers = [Answer("a } b # c ~ d \\ e", 1.0, "right \\"), Answer("\\(x\\)", 0.0, "no # way")]
    written = blank_syntax(3, "MULTICHOICE_V", answers)
    assert written == "{3:MULTICHOICE_V:=a \\} b \\# c \\~ d \\ e#right \\\\~\\(x\\)#no \\# way}"
    text, [blank] = blanks_in(f"<p>{written}</p>")
    assert (text, blank.weight, blank.answers) == ("<p>{#1}</p>", 3, tuple(answers))
    number = blank_syntax(1, "NUMERICAL", [Answer("2.5", 1.0, "", 0.1), Answer("-3e-2", 0.5, "", 0.0)])
    assert number == "{1:NUMERICAL:=2.5:0.1~%50%-3e-2}"
    assert blanks_in(number)[1][0].answers == (Answer("2.5", 1.0, "", 0.1), Answer("-3e-2", 0.5, "", 0.0))


def test_an_entity_is_no_feedback_and_a_lowercase_type_is_text():
    text, blanks = blanks_in("<p>{1:mc:x} {1:MC:=it&#39;s#Yes &#35;1~no}</p>")
    assert text == "<p>{1:mc:x} {#1}</p>"  # Moodle's types are upper case: the rest is text, as in Moodle
    assert blanks[0].answers == (Answer("it&#39;s", 1.0, "Yes &#35;1"), Answer("no", 0.0))
    with pytest.raises(ClozeError, match="never closed"):
        blanks_in("{1:MC:=a~b\\}")


# --- export -----------------------------------------------------------------------------------------


def test_a_cloze_goes_back_to_moodle_and_comes_back_the_same(imported, tmp_path):
    _, questions = imported
    report = questions_export(course=questions["escapes"].quiz.lecture.course, file_format="moodle")
    assert [(entry.uid, entry.status) for entry in report.entries] == [
        ("mean-and-activation", "exported"), ("escapes", "exported")]
    root = ElementTree.fromstring(report.content)
    texts = [q.findtext("questiontext/text") for q in root.iter("question") if q.get("type") == "cloze"]
    assert "{2:NUMERICAL:=2.5:0.1}" in texts[0] and "{1:MULTICHOICE_V:\\(\\tanh\\)~=ReLU~sigmoid}" in texts[0]
    assert "{1:MULTICHOICE_V:=a \\} b~c \\# d~e \\~ f / g~h \" i \\ j}" in texts[1]  # \ j: not an escape
    (tmp_path / "out.xml").write_bytes(report.content)
    fresh = Course.objects.create(slug="fresh", title="Fresh", enrolment_code="FRESH")
    lecture = Lecture.objects.create(course=fresh, number=1, title="All", slug="all")
    back = questions_import(path=tmp_path / "out.xml", lecture=lecture)
    assert [entry.uid for entry in back.of("created")] == ["mean-and-activation", "escapes"]
    for again in Question.objects.filter(quiz__lecture=lecture):
        original = questions[again.uid]
        assert again.settings == original.settings, again.uid
        assert (again.kind, again.prompt, again.explanation, again.points) == (
            original.kind, original.prompt, original.explanation, original.points), again.uid


def test_gift_cannot_carry_a_cloze(imported):
    _, questions = imported
    report = questions_export(course=questions["escapes"].quiz.lecture.course, file_format="gift")
    assert [(entry.status, entry.messages) for entry in report.entries] == [
        ("not exportable", ("GIFT has no cloze (embedded answers) questions: export it as Moodle XML",))] * 2
    assert b"step" not in report.content


def test_moodle_differences_are_warned_on_export(quiz):
    question = Question.objects.create(
        quiz=quiz, uid="w", title="W", kind="multi_step", prompt="First **(step 1)**.", points=2.0, settings={
            "generator": "fixed_steps", "mode": "all", "carried_credit": 0.0,
            "steps": [{"step": "a", "weight": 1.5}, {"step": "b"}],
            "generator_config": {"steps": [{"name": "a", "title": "a", "value": 1.0},
                                           {"name": "b", "title": "b", "options": ["x", "y"], "value": 1}]}})
    report = questions_export(course=quiz.lecture.course, file_format="moodle")
    [entry] = report.entries
    assert entry.messages == (
        "step 1: Moodle's weights are whole numbers: 1.5 → 2",
        "the prompt does not say where step 2 goes (write **(step N)**): its blank is put at the end",
        "Moodle gives a cloze question the sum of its blanks' weights, 3 points (here 2)")
    text = ElementTree.fromstring(report.content).find("question[@type='cloze']/questiontext/text").text
    assert text == "<p>First {2:NUMERICAL:=1.0}.</p><p>{1:MULTICHOICE_V:x~=y}</p>"
    question.settings["generator"] = "mlp_backward"
    question.settings["generator_config"] = {}
    question.settings["steps"] = [{"step": "z1"}]
    question.save()
    [entry] = questions_export(course=quiz.lecture.course, file_format="moodle").entries
    assert entry.status == "not exportable" and "generator mlp_backward has no Moodle equivalent" in entry.messages[0]


# --- a student answers it ---------------------------------------------------------------------------


def quiz_page(client, question) -> str:
    """The quiz page's section of ``question`` (opening the page makes the student's variant)."""
    html = client.get(reverse("quizzes:quiz", args=[question.quiz.lecture.course.slug, question.quiz_id]))
    section = re.search(rf'<section class="question card" id="q{question.id}".*?</section>', html.content.decode(),
                        re.DOTALL)
    assert section, "the question's section"
    return section.group(0)


def answer(client, question, **steps):
    url = reverse("quizzes:answer", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])
    return client.post(url, {f"step-{name}": value for name, value in steps.items()}, **FETCH)


@pytest.fixture
def published(imported):
    _, questions = imported
    question = questions["mean-and-activation"]
    question.quiz.is_published = True
    question.quiz.save()
    return question


def test_the_student_sees_a_box_and_radio_buttons_and_no_answer(student_client, published):
    html = quiz_page(student_client, published)
    assert html.count('name="step-s1"') == 1 and html.count('name="step-s2"') == 4  # 3 options and "no answer"
    radios = re.findall(r'<input type="radio" name="step-s2" value="(\d*)" id="([^"]+)"', html)
    assert [value for value, _ in radios] == ["0", "1", "2", ""]
    for _, radio in radios:
        assert f'<label for="{radio}">' in html  # each option is labelled: keyboard and screen readers
    assert ">ReLU</label>" in html and ">sigmoid</label>" in html and "<strong>(step 1)</strong>" in html
    assert re.search(r'value="" id="[^"]+"\s+checked', html)  # nothing picked yet: "no answer"
    assert "2.5" not in html  # the value of blank 1 is nowhere on the page


def test_right_and_wrong_steps_are_graded_each_with_its_own_tolerance(student_client, published):
    quiz_page(student_client, published)
    answer(student_client, published, s1="2,58", s2="1")  # within blank 1's 0.1: right, though not exact
    first = Submission.objects.latest("id")
    assert (first.status, first.score) == ("graded", 1.0)
    assert [m["mark"] for m in first.step_marks] == ["right", "right"]
    assert re.search(r'value="1" id="[^"]+"\s+checked', quiz_page(student_client, published))  # the pick stays
    answer(student_client, published, s1="2.3", s2="0")  # half credit in Moodle (2.4 ± 0.2): wrong here
    second = Submission.objects.latest("id")
    assert (second.score, [m["mark"] for m in second.step_marks]) == (0.0, ["wrong", "wrong"])
    answer(student_client, published, s1="2.5", s2="2")
    third = Submission.objects.latest("id")
    assert third.score == pytest.approx(2 / 3)  # weights 2 and 1
    answer(student_client, published, s1="", s2="1")
    fourth = Submission.objects.latest("id")
    assert (fourth.score, [m["mark"] for m in fourth.step_marks]) == (pytest.approx(1 / 3), ["blank", "right"])


def test_an_option_that_does_not_exist_is_refused(student_client, published):
    quiz_page(student_client, published)
    for value in ("3", "-1", "1.0", "x"):
        assert answer(student_client, published, s1="2.5", s2=value).status_code == 400, value
    assert not Submission.objects.filter(status="graded").exists()
    assert answer(student_client, published, s1="2.5", s2="2").status_code == 200  # the same, with an option


def test_a_choice_step_reads_as_its_option_text_in_the_export_and_the_statistics():
    from progress.step_answers import QuestionStep, step_answers, steps_text
    from progress.step_statistics import step_statistics

    steps = [QuestionStep(1, "s1", "s_1", "blank 1"), QuestionStep(2, "s2", "s_2", "blank 2", ("tanh", "ReLU"))]
    value = {"answers": {"s1": 2.5, "s2": 1}, "shown": []}
    marks = [{"step": "s1", "mark": "right", "credit": 1.0, "message": "", "mistake": ""},
             {"step": "s2", "mark": "wrong", "credit": 0.0, "message": "", "mistake": ""}]
    text = steps_text(step_answers(value, marks), {"s2": ("tanh", "ReLU")})
    assert text == "1 s1 = 2.5 (right) | 2 s2 = ReLU (wrong)"
    figures = step_statistics(steps, [(value, marks)], [(value, marks)])
    assert figures.steps[1].wrong_value == "ReLU" and figures.steps[0].wrong_value == ""
