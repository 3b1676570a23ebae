"""Importing Moodle XML and GIFT files (authoring/interchange/services.py and the import_questions command):
what each sample construct becomes, and that a file with an error imports nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from authoring.interchange.services import questions_import
from quizzes.models import Choice, Question, Quiz, Submission, Variant
from quizzes.rendering import render_markdown
from quizzes.tests.factories import form_data

pytestmark = pytest.mark.django_db
User = get_user_model()
SAMPLES = Path(__file__).parent / "samples"


def imported(lecture, name: str, **options):
    report = questions_import(path=SAMPLES / name, lecture=lecture, **options)
    return report, {q.uid: q for q in Question.objects.filter(quiz__lecture=lecture).prefetch_related("choices")}


def choices(question) -> list[tuple[str, bool, str]]:
    return [(c.text, c.is_correct, c.feedback) for c in question.choices.all()]


def grade(question, data) -> float:
    kind, found = question.kind_spec, list(question.choices.all())
    parsed = kind.parse(question, form_data(**data), choices=found, variant=None)
    return kind.grade(question, parsed.value, choices=found, variant=None).score


def test_gift_constructs_become_questions_of_our_kinds(lecture):
    report, questions = imported(lecture, "constructs.gift")
    assert [e.uid for e in report.of("created")] == [
        "capital", "primes", "weighted", "tomb", "two", "pi", "range", "many", "escapes", "html", "star"]
    quiz = Quiz.objects.get(lecture=lecture, title="Basics")
    assert not quiz.is_published
    assert [q.uid for q in quiz.questions.order_by("position")] == [e.uid for e in report.of("created")]
    capital = questions["capital"]
    assert (capital.kind, capital.title, capital.prompt) == ("single", "Capital", "What is the capital of France?")
    assert choices(capital) == [("Paris", True, "Right!"), ("London", False, "That is England."), ("Berlin", False, "")]
    primes = questions["primes"]
    assert (primes.kind, primes.settings["multiple_mode"], primes.prompt) == (
        "multiple", "net_correct", "Which numbers are **prime**?")
    assert choices(primes) == [("2", True, ""), ("3", True, ""), ("4", False, "4 = 2·2"), ("9", False, "9 = 3·3")]
    tomb = questions["tomb"]
    assert (tomb.kind, tomb.settings["true_false_answer"]) == ("true_false", False)
    assert tomb.explanation == "**True:** No one is buried there.\n\n**False:** Right: nobody is."
    two = questions["two"]
    assert (two.kind, two.prompt) == ("text", "Two plus two makes _____ apples.")
    assert (two.settings["text_answers"], two.settings["text_mode"]) == (["four", "4"], "case_insensitive")
    pi = questions["pi"]
    assert (pi.kind, pi.explanation) == ("numeric", "$\\pi \\approx 3.14159$.")
    assert {k: pi.settings[k] for k in ("numeric_answer", "numeric_mode", "rtol", "atol")} == {
        "numeric_answer": 3.14, "numeric_mode": "tolerance", "rtol": 0.0, "atol": 0.01}
    assert (questions["range"].settings["numeric_answer"], questions["range"].settings["atol"]) == (3.0, 2.0)
    assert (questions["many"].settings["numeric_answer"], questions["many"].settings["atol"]) == (2.718, 0.001)
    escapes = questions["escapes"]
    assert (escapes.prompt, escapes.settings["true_false_answer"]) == ("Sets are written {a, b}; is 1 = 1?", True)
    assert questions["html"].prompt == "The derivative of $x^2$ is <b>what</b>?"
    assert questions["star"].settings["text_answers"] == ["(?i)Py.*ch", "(?i)tensorflow"]
    assert questions["star"].settings["text_mode"] == "regex"


def test_gift_weights_grade_exactly_and_partial_credit_becomes_expected_wrong_answers(lecture):
    report, questions = imported(lecture, "constructs.gift")
    warnings = {e.uid: e.messages for e in report.of("created")}
    assert warnings["primes"] == ()  # ±1/2 each: net correct grades exactly as Moodle
    assert warnings["weighted"] == ()  # 70 %, 30 %, −100 %: scored by Moodle's fractions themselves
    weighted = questions["weighted"]
    assert weighted.settings == {"multiple_mode": "fractions"}
    assert [(c.is_correct, c.fraction) for c in weighted.choices.all()] == [(True, 0.7), (True, 0.3), (False, -1.0)]
    a, b, c = weighted.choices.all()
    assert [grade(weighted, {"choice": picked}) for picked in ([a.id, b.id], [a.id], [b.id], [a.id, c.id])] == [
        1.0, 0.7, 0.3, 0.0]
    assert (warnings["two"], warnings["many"]) == ((), ())
    assert questions["two"].settings["wrong_answers"] == [
        {"name": "answer 3", "text": "for", "feedback": "50 % of the points.", "credit": 0.5}]
    assert questions["many"].settings["wrong_answers"] == [
        {"name": "answer 2", "value": 2.7, "rtol": 0.0, "atol": 0.05, "feedback": "50 % of the points.",
         "credit": 0.5}]
    assert (grade(questions["two"], {"answer": "For"}), grade(questions["many"], {"answer": "2.69"})) == (0.5, 0.5)


def test_kinds_we_do_not_have_are_skipped_and_listed(lecture):
    report, _ = imported(lecture, "constructs.gift")
    assert [(e.where, e.messages) for e in report.of("skipped")] == [
        ("line 33", ("description",)), ("line 35", ("kind not supported yet (essay)",)),
        ("line 37", ("kind not supported yet (matching)",))]
    assert "Reading" not in set(Quiz.objects.values_list("title", flat=True))  # held only skipped questions


def test_moodle_xml_constructs_become_questions_of_our_kinds(lecture):
    report, questions = imported(lecture, "constructs.xml")
    assert [(e.uid, e.kind, e.quiz) for e in report.of("created")] == [
        ("activation", "single", "Networks"), ("convex-losses", "multiple", "Networks"),
        ("universal", "true_false", "Networks"), ("optimizer", "text", "Networks"),
        ("sigmoid-slope", "numeric", "Networks")]
    activation = questions["activation"]
    assert activation.prompt == ("Which function is $\\sigma(x) = \\frac{1}{1+e^{-x}}$?\n\n"
                                 "![plot](image:activation-sigmoid.png)\n\nPick one.")
    assert (activation.points, activation.hint, activation.explanation) == (
        2.0, "Think of logistic regression.", "The logistic function.")
    assert choices(activation) == [("The sigmoid", True, "Yes."), ("ReLU", False, "ReLU is max(0, x)."),
                                   ("tanh", False, "")]
    assert activation.settings == {"single_mode": "fractions"}  # tanh takes 33.33333 % away in Moodle
    assert [c.fraction for c in activation.choices.all()] == [1.0, 0.0, -0.3333333]
    assert choices(questions["convex-losses"]) == [
        ("squared error", True, ""), ("cross-entropy", True, ""), ("0-1 loss", False, "Not convex."),
        ("a deep network's loss in its weights", False, "")]
    assert questions["universal"].settings["true_false_answer"] is True
    assert questions["optimizer"].prompt == (
        "Name the optimizer<br>that keeps running averages of gradients and their squares.")
    assert questions["optimizer"].settings["text_answers"] == ["(?i)Adam.*"]
    assert questions["sigmoid-slope"].settings["numeric_answer"] == 0.25
    assert [(e.where, e.messages[0]) for e in report.of("skipped")] == [
        ("question 6 “Intro”", "description"), ("question 7 “Calc”", "kind not supported yet (calculatedmulti)"),
        ("question 8 “Drag”", "kind not supported yet (ddwtos)")]
    warnings = {e.uid: e.messages for e in report.of("created")}
    assert not [w for w in warnings["activation"] if "image" in w]  # it came with its file (test_interchange_images)
    assert report.of("created")[0].images == (("activation-sigmoid.png", "new"),)
    assert "units (1/s) ignored: answers are plain numbers" in warnings["sigmoid-slope"]
    assert report.notes == ("Moodle's penalty per wrong try (0.3333) is not imported: in graded mode, a quiz's "
                            "try credits set what each try earns.",)


def test_scripts_and_event_attributes_do_not_survive_the_import(lecture):
    _, questions = imported(lecture, "constructs.xml")
    _, more = imported(lecture, "constructs.gift")
    for question in [*questions.values(), *more.values()]:
        assert "script" not in question.prompt and "onclick" not in question.prompt and "alert" not in question.prompt
    rendered = render_markdown(questions["activation"].prompt)
    assert rendered.count("<math") == 1 and rendered.startswith("<p>Which function is <math")


def test_imported_questions_grade_a_right_and_a_wrong_answer(lecture):
    _, questions = imported(lecture, "constructs.gift")
    pi, capital, primes = questions["pi"], questions["capital"], questions["primes"]
    assert (grade(pi, {"answer": "3.141"}), grade(pi, {"answer": "3.2"})) == (1.0, 0.0)
    paris, london, _ = capital.choices.all()
    assert (grade(capital, {"choice": paris.id}), grade(capital, {"choice": london.id})) == (1.0, 0.0)
    two, three, four, _ = primes.choices.all()
    assert grade(primes, {"choice": [two.id, three.id]}) == 1.0
    assert grade(primes, {"choice": [two.id, four.id]}) == 0.0  # Moodle: 50 % − 50 %
    assert grade(primes, {"choice": [two.id]}) == 0.5
    star = questions["star"]
    assert (grade(star, {"answer": "pytorch"}), grade(star, {"answer": "keras"})) == (1.0, 0.0)


def test_a_dry_run_writes_nothing_but_reports_everything(lecture):
    report, questions = imported(lecture, "constructs.xml", dry_run=True)
    assert len(report.of("created")) == 5 and not report.written
    assert questions == {} and not Quiz.objects.exists() and not Choice.objects.exists()
    assert report.lines()[0] == "constructs.xml into L02 Computation Graphs: dry run, nothing written. 5 created, " \
                                "3 skipped, 0 with errors."


def test_one_broken_question_imports_nothing_and_names_its_line(lecture):
    report, questions = imported(lecture, "broken.gift")
    assert [(e.where, e.messages) for e in report.of("error")] == [
        ("line 3", ("the answer block “{” is never closed with “}”",))]
    assert questions == {} and not Quiz.objects.exists()


def test_a_question_our_rules_refuse_imports_nothing(lecture, tmp_path):
    (tmp_path / "short.gift").write_text("::Fine:: Fine. {=yes ~no}\n\n::Short:: Pick. {~%50%a ~%30%b ~c}\n")
    report = questions_import(path=tmp_path / "short.gift", lecture=lecture)
    assert [(e.where, e.messages) for e in report.of("error")] == [
        ("line 3", ("choices: The positive fractions must add up to 100 % (Moodle's rule); these add up to 80 %.",))]
    assert not Question.objects.exists()


def test_single_choice_weights_and_two_right_answers_grade_as_moodle_grades_them(lecture, tmp_path):
    (tmp_path / "single.gift").write_text("::Two right:: Pick. {=a =b ~c}\n\n"
                                          "::Partial:: Pick. {=right ~%50%half ~%-25%penalty ~%33.333%third}\n")
    report = questions_import(path=tmp_path / "single.gift", lecture=lecture)
    assert [(e.uid, e.kind, e.messages) for e in report.of("created")] == [
        ("two-right", "single", ()), ("partial", "single", ())]
    questions = {q.uid: q for q in Question.objects.prefetch_related("choices")}
    two, partial = questions["two-right"], questions["partial"]
    assert [(c.is_correct, c.fraction) for c in two.choices.all()] == [(True, 1.0), (True, 1.0), (False, 0.0)]
    assert [(c.is_correct, c.fraction) for c in partial.choices.all()] == [
        (True, 1.0), (False, 0.5), (False, -0.25), (False, 0.3333333)]  # 33.333 % is Moodle's 33.33333 %
    assert [grade(partial, {"choice": c.id}) for c in partial.choices.all()] == [1.0, 0.5, 0.0, 0.3333333]
    assert [grade(two, {"choice": c.id}) for c in two.choices.all()] == [1.0, 1.0, 0.0]


@pytest.mark.parametrize(("name", "message"), [
    ("malformed.xml", "line 6, column 5: not well-formed XML: mismatched tag"),
    ("billion_laughs.xml", "line 2: a DOCTYPE or entity declaration, which question files do not need and "
                           "which is refused (entity expansion)"),
])
def test_a_file_that_is_not_safe_well_formed_xml_gives_a_clean_report(lecture, name, message):
    report, questions = imported(lecture, name)
    assert [(e.where, e.messages) for e in report.of("error")] == [("file", (message,))]
    assert questions == {}


def test_a_second_import_into_the_same_quiz_updates_instead_of_duplicating(lecture):
    existing = Quiz.objects.create(lecture=lecture, title="Imported", position=4)
    Question.objects.create(quiz=existing, uid="other", kind="true_false", prompt="x", position=7,
                            settings={"true_false_answer": True})
    imported(lecture, "constructs.xml", quiz_title="Imported")
    report, questions = imported(lecture, "constructs.xml", quiz_title="Imported")
    assert [(e.uid, e.status) for e in report.entries if e.uid] == [
        ("activation", "unchanged"), ("convex-losses", "unchanged"), ("universal", "unchanged"),
        ("optimizer", "unchanged"), ("sigmoid-slope", "unchanged")]
    assert list(existing.questions.order_by("position").values_list("uid", "position"))[:3] == [
        ("other", 7), ("activation", 8), ("convex-losses", 9)]
    assert Quiz.objects.count() == 1 and len(questions) == 6
    assert report.lines()[0] == ("constructs.xml into L02 Computation Graphs: imported. 0 created, 5 unchanged, "
                                 "3 skipped, 0 with errors.")


def test_the_same_names_in_another_quiz_get_numbered_uids(lecture):
    imported(lecture, "constructs.xml", quiz_title="First")
    report, questions = imported(lecture, "constructs.xml", quiz_title="Second")
    assert [e.uid for e in report.of("created")] == [
        "activation-2", "convex-losses-2", "universal-2", "optimizer-2", "sigmoid-slope-2"]
    report, _ = imported(lecture, "constructs.xml", quiz_title="Second")  # the numbered ones are found again
    assert [e.status for e in report.entries if e.uid] == ["unchanged"] * 5
    assert len(questions) == 10


def test_an_edited_file_updates_its_questions_in_place_and_warns_when_answered_grading_changes(lecture, tmp_path):
    gift = tmp_path / "week.gift"
    gift.write_text("::Capital:: The capital of France? {=Paris ~London ~Berlin}\n\n::Pi:: Pi? {#3.14:0.01}\n")
    questions_import(path=gift, lecture=lecture)
    capital = Question.objects.get(uid="capital")
    paris = capital.choices.get(position=1)
    variant = Variant.objects.create(student=User.objects.create_user("s"), question=capital)
    Submission.objects.create(variant=variant, nonce="n", raw=str(paris.id), value=[paris.id], score=1.0)
    other = Question.objects.create(quiz=capital.quiz, uid="mine", kind="true_false", prompt="x", position=9,
                                    settings={"true_false_answer": True})
    gift.write_text("::Capital:: The capital city of France? {~Paris =Lyon ~Berlin}\n\n::Pi:: Pi? {#3.14:0.01}\n")
    report = questions_import(path=gift, lecture=lecture)
    assert [(e.uid, e.status, e.messages) for e in report.entries] == [
        ("capital", "updated", ("students have answered this question and its grading changed: their submissions "
                                "keep the grades they got (regrading is not done here)",)),
        ("pi", "unchanged", ())]
    capital.refresh_from_db()
    assert capital.prompt == "The capital city of France?" and capital.choices.get(pk=paris.pk).is_correct is False
    assert [(c.text, c.is_correct) for c in capital.choices.all()] == [
        ("Paris", False), ("Lyon", True), ("Berlin", False)]
    assert Question.objects.count() == 3 and Question.objects.get(pk=other.pk).settings["true_false_answer"]


def run(*args) -> str:
    out = StringIO()
    call_command("import_questions", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_created_skipped_and_errors(lecture):
    out = run(str(SAMPLES / "constructs.xml"), "--course", "dl", "--lecture", "2")
    assert out.splitlines()[:4] == [
        "constructs.xml into L02 Computation Graphs: imported. 5 created, 3 skipped, 0 with errors.",
        "Quiz “Networks” (new, not published):",
        "  question 1 “Activation”: single “Activation” (uid activation)",
        "    image “activation-sigmoid.png”: new",
    ]
    assert "Skipped:\n  question 6 “Intro”: description\n" in out
    with pytest.raises(CommandError, match="^1 with errors in broken.gift: nothing imported.$"):
        run(str(SAMPLES / "broken.gift"), "--course", "dl", "--lecture", "2")
    with pytest.raises(CommandError, match="^No lecture 9 in a course “dl”.$"):
        run(str(SAMPLES / "broken.gift"), "--course", "dl", "--lecture", "9")


def test_a_gift_file_that_is_not_utf8_text_gives_a_clean_report(lecture, tmp_path):
    (tmp_path / "latin1.gift").write_bytes("Q? {=a ~b}\n\nCaf\xe9? {T}\n".encode("latin-1"))
    (tmp_path / "nul.txt").write_bytes(b"Q? {=a ~b}\n\nA\x00? {T}\n")
    reports = [questions_import(path=tmp_path / name, lecture=lecture) for name in ("latin1.gift", "nul.txt")]
    assert [[(e.where, e.messages) for e in report.of("error")] for report in reports] == [
        [("file", ("line 3: not UTF-8 text (save the file as UTF-8)",))],
        [("file", ("line 3: a NUL character: not a text file",))]]
    assert not Question.objects.exists()
