"""course_import and course_export (authoring/services.py), on the small course of course_dirs."""

import datetime as dt

import pytest

from authoring.course_files import FolderRefused
from authoring.services import CourseFilesInvalid, course_export, course_folder, course_import
from authoring.tests.course_dirs import course_dir, edit, snapshot, tree
from courses.models import Course, Lecture
from quizzes.images import image_store
from quizzes.models import Choice, Question, Quiz, Submission

pytestmark = pytest.mark.django_db


def counts(report) -> tuple[int, int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.archived, report.deleted


def test_import_creates_the_course_with_every_value_of_its_files(tmp_path):
    report = course_import(path=course_dir(tmp_path))
    assert (report.course, counts(report)) == ("ml", (4, 0, 0, 0, 0))
    course = Course.objects.get(slug="ml")
    assert (course.title, course.enrolment_code) == ("Machine Learning", "ML-2026")
    assert course.description == "Weekly quizzes."
    first, second = Lecture.objects.filter(course=course).order_by("number")
    assert first.release_date == dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
    assert (second.slug, second.release_date) == ("more", None)
    quiz = Quiz.objects.get(uid="l02-quiz")
    assert (quiz.lecture, quiz.is_published, quiz.mode, quiz.try_credits) == (second, True, "practice", "100,70,50")
    questions = Question.objects.filter(quiz__uid="l01-quiz").order_by("position")
    assert [(q.uid, q.position, q.kind) for q in questions] == [
        ("l01-rule", 1, "single"), ("l01-number", 2, "numeric"), ("l01-word", 3, "text")]
    rule, number, word = questions
    assert rule.prompt == "Backpropagation computes $\\frac{\\partial L}{\\partial x}$ with which rule?"
    assert (rule.hint, rule.explanation, rule.points) == ("Think of $f(g(x))$.", "", 1.0)
    assert list(rule.choices.values_list("position", "text", "is_correct", "feedback")) == [
        (1, "The chain rule", True, ""), (2, "The quotient rule", False, "Only for $\\frac{u}{v}$.")]
    assert number.settings == {"numeric_answer": 1.5, "numeric_mode": "tolerance", "rtol": 0.01, "atol": 0.001,
                               "digits": None, "wrong_answers": []}
    assert word.settings == {"text_answers": ["valid(ation)?"], "text_mode": "regex", "wrong_answers": []}


def test_a_second_import_reports_everything_unchanged_and_changes_nothing(tmp_path):
    course_import(path=course_dir(tmp_path))
    before = snapshot()
    report = course_import(path=tmp_path)
    assert counts(report) == (0, 0, 4, 0, 0)
    assert snapshot() == before


def test_an_edited_file_updates_its_question_in_place(tmp_path):
    course_import(path=course_dir(tmp_path))
    number = Question.objects.get(uid="l01-number")
    edit(tmp_path, "01-basics/l01-number.md", "numeric_answer = 1.5", "numeric_answer = 2.5\npoints = 2")
    report = course_import(path=tmp_path)
    assert counts(report) == (0, 1, 3, 0, 0)
    number.refresh_from_db()
    assert (number.settings["numeric_answer"], number.points) == (2.5, 2.0)


def test_dry_run_counts_and_writes_nothing(tmp_path):
    course_import(path=course_dir(tmp_path))
    edit(tmp_path, "01-basics/l01-number.md", "numeric_answer = 1.5", "numeric_answer = 2.5")
    edit(tmp_path, "01-basics/lecture.toml", "'l01-word']", "]")
    (tmp_path / "01-basics/l01-word.md").unlink()
    before = snapshot()
    report = course_import(path=tmp_path, dry_run=True)
    assert (counts(report), report.dry_run) == ((0, 1, 2, 0, 1), True)
    assert snapshot() == before


def test_dry_run_into_an_empty_database_creates_nothing(tmp_path):
    report = course_import(path=course_dir(tmp_path), dry_run=True)
    assert counts(report) == (4, 0, 0, 0, 0)
    assert not Course.objects.exists() and not Question.objects.exists()


def test_a_question_gone_from_the_files_is_deleted_unless_students_have_variants(tmp_path, make_user):
    course_import(path=course_dir(tmp_path))
    Question.objects.get(uid="l01-word").variants.create(student=make_user("ada"))
    edit(tmp_path, "01-basics/lecture.toml", "['l01-rule', 'l01-number', 'l01-word']", "['l01-rule']")
    (tmp_path / "01-basics/l01-number.md").unlink()
    (tmp_path / "01-basics/l01-word.md").unlink()
    report = course_import(path=tmp_path)
    assert counts(report) == (0, 0, 2, 1, 1)
    assert not Question.objects.filter(uid="l01-number").exists()
    assert Question.objects.get(uid="l01-word").is_archived
    assert counts(course_import(path=tmp_path)) == (0, 0, 2, 0, 0)  # archived once, not again


def test_an_archived_question_back_in_the_files_is_unarchived(tmp_path, make_user):
    course_import(path=course_dir(tmp_path))
    word = Question.objects.get(uid="l01-word")
    word.variants.create(student=make_user("ada"))
    edit(tmp_path, "01-basics/lecture.toml", ", 'l01-word']", "]")
    text = (tmp_path / "01-basics/l01-word.md").read_text()
    (tmp_path / "01-basics/l01-word.md").unlink()
    assert counts(course_import(path=tmp_path)) == (0, 0, 3, 1, 0)
    edit(tmp_path, "01-basics/lecture.toml", "'l01-number']", "'l01-number', 'l01-word']")
    (tmp_path / "01-basics/l01-word.md").write_text(text)
    assert counts(course_import(path=tmp_path)) == (0, 1, 3, 0, 0)
    word.refresh_from_db()
    assert (word.is_archived, word.position) == (False, 3)


def test_a_question_moved_to_another_lecture_keeps_its_row(tmp_path):
    course_import(path=course_dir(tmp_path))
    word = Question.objects.get(uid="l01-word")
    edit(tmp_path, "01-basics/lecture.toml", ", 'l01-word']", "]")
    edit(tmp_path, "02-more/lecture.toml", "['l02-claim']", "['l01-word', 'l02-claim']")
    (tmp_path / "01-basics/l01-word.md").rename(tmp_path / "02-more/l01-word.md")
    assert counts(course_import(path=tmp_path)) == (0, 2, 2, 0, 0)  # moved, and l02-claim now second
    assert Question.objects.get(uid="l01-word").pk == word.pk
    assert list(Question.objects.filter(quiz__uid="l02-quiz").values_list("uid", "position")) == [
        ("l01-word", 1), ("l02-claim", 2)]


def answer(question, user) -> None:
    variant = question.variants.create(student=user)
    Submission.objects.create(variant=variant, nonce="n1", raw="1", status=Submission.Status.GRADED, score=1.0)


def test_choices_of_an_answered_question_may_be_edited_in_place(tmp_path, make_user):
    course_import(path=course_dir(tmp_path))
    rule = Question.objects.get(uid="l01-rule")
    answer(rule, make_user("ada"))
    ids = list(rule.choices.values_list("id", flat=True))
    edit(tmp_path, "01-basics/l01-rule.md", "text = 'The quotient rule'", "text = 'The product rule'")
    assert counts(course_import(path=tmp_path)) == (0, 1, 3, 0, 0)
    assert list(rule.choices.values_list("id", "text")) == [(ids[0], "The chain rule"), (ids[1], "The product rule")]


def test_removing_a_choice_of_an_answered_question_is_refused(tmp_path, make_user):
    edit(course_dir(tmp_path), "01-basics/l01-rule.md", "+++\nBackprop",
         "\n[[choices]]\ntext = 'Finite differences'\ncorrect = false\n+++\nBackprop")
    course_import(path=tmp_path)
    answer(Question.objects.get(uid="l01-rule"), make_user("ada"))
    edit(tmp_path, "01-basics/l01-rule.md", "\n[[choices]]\ntext = 'Finite differences'\ncorrect = false\n", "")
    before = snapshot()
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path}/01-basics/l01-rule.md:7: students have answered this question, so its choices may be "
        "edited but not removed: it has 3, the file 2"]
    assert snapshot() == before


def test_a_quiz_gone_from_the_files_is_deleted_or_kept_unpublished_with_its_archived_questions(tmp_path, make_user):
    course_import(path=course_dir(tmp_path))
    edit(tmp_path, "02-more/lecture.toml", "[[quizzes]]\nuid = 'l02-quiz'\ntitle = 'More checks'\npublished = true\n"
         "questions = ['l02-claim']\n", "")
    (tmp_path / "02-more/l02-claim.md").unlink()
    answer(Question.objects.get(uid="l02-claim"), make_user("ada"))
    report = course_import(path=tmp_path)
    assert (counts(report), report.notes) == (
        (0, 0, 3, 1, 0), ("quiz “l02-quiz” is not in the files: kept, unpublished: it holds archived questions",))
    quiz = Quiz.objects.get(uid="l02-quiz")
    assert not quiz.is_published and quiz.questions.get().is_archived
    Question.objects.filter(uid="l02-claim").delete()
    report = course_import(path=tmp_path)
    assert report.notes == ("quiz “l02-quiz” is not in the files: deleted",)
    assert not Quiz.objects.filter(uid="l02-quiz").exists()


def test_a_lecture_gone_from_the_files_is_deleted_with_its_unanswered_questions(tmp_path):
    course_import(path=course_dir(tmp_path))
    for path in (tmp_path / "02-more").iterdir():
        path.unlink()
    (tmp_path / "02-more").rmdir()
    report = course_import(path=tmp_path)
    assert counts(report) == (0, 0, 3, 0, 1)
    assert report.notes == ("quiz “l02-quiz” is not in the files: deleted",
                            "lecture 2 “more” is not in the files: deleted")
    assert list(Lecture.objects.values_list("number", flat=True)) == [1]


def test_lectures_may_swap_slugs(tmp_path):
    course_import(path=course_dir(tmp_path))
    edit(tmp_path, "01-basics/lecture.toml", "slug = 'basics'", "slug = 'more'")
    edit(tmp_path, "02-more/lecture.toml", "slug = 'more'", "slug = 'basics'")
    course_import(path=tmp_path)
    assert list(Lecture.objects.order_by("number").values_list("slug", flat=True)) == ["more", "basics"]


# --- Problems: every one listed as file:line: message, and nothing imported ---

NUMBER, RULE, WORD = "01-basics/l01-number.md", "01-basics/l01-rule.md", "01-basics/l01-word.md"
LECTURE1, LECTURE2, CLAIM = "01-basics/lecture.toml", "02-more/lecture.toml", "02-more/l02-claim.md"


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    (NUMBER, "numeric_answer = 1.5", "numeric_anwser = 1.5", [
        (NUMBER, 1, "numeric_answer: Enter the correct answer."),
        (NUMBER, 5, "numeric_anwser: Numeric questions have no setting “numeric_anwser” "
                    "(settings: numeric_answer, numeric_mode, rtol, atol, digits, wrong_answers)."),
    ]),
    (NUMBER, "numeric_answer = 1.5\n", "", [(NUMBER, 1, "numeric_answer: Enter the correct answer.")]),
    (NUMBER, "title = 'A number'", "title = 'A number'\npoints = 'two'",
     [(NUMBER, 5, "points: expected a number, got 'two'")]),
    (NUMBER, "title = 'A number'", "title = 'A number'\npoints = -1",
     [(NUMBER, 5, "points: Points must be a number greater than 0.")]),
    (NUMBER, "numeric_answer = 1.5", "numeric_answer = = 1.5",
     [(NUMBER, 5, "Invalid value (at line 5, column 18)")]),
    (WORD, "['valid(ation)?']", "['valid(ation']",
     [(WORD, 5, "text_answers: Answer 1, “valid(ation”, is not a valid regular expression: missing ) "
                "at position 11.")]),
    (WORD, "['valid(ation)?']", "['valid(ation)?', '(a|aa)+$']",
     [(WORD, 5, "text_answers: Answer 2, “(a|aa)+$”, takes too long on long answers (over 50 ms on 31 "
                "characters): avoid nested or overlapping repetition such as (a+)+ or (a|aa)+.")]),
    (RULE, "correct = false", "correct = true",
     [(RULE, 7, "choices: A single-choice question needs exactly one correct choice; this one has 2.")]),
    (RULE, "correct = false", "correct = false\ncorect = true", [
        (RULE, 14, "unknown key “corect” (keys: text, correct, fraction, feedback)")]),
    (CLAIM, "\nReLU is piecewise linear.\n", "\n",
     [(CLAIM, 6, "prompt: Write the question's prompt (only computed questions may leave it empty).")]),
    (CLAIM, "kind = 'true_false'", "kind = 'true_falsy'",
     [(CLAIM, 3, "kind: Unknown question kind “true_falsy”. Known kinds: single, multiple, true_false, numeric, "
                 "text, computed, computed_array, multi_step.")]),
    (CLAIM, "uid = 'l02-claim'", "uid = 'l02-claims'",
     [(CLAIM, 2, "the file of question “l02-claims” must be named l02-claims.md, not l02-claim.md")]),
    (LECTURE2, "uid = 'l02-quiz'", "uid = 'l01-quiz'",
     [(LECTURE2, 6, f"quiz uid “l01-quiz” is used twice: also in {{root}}/{LECTURE1}")]),
    (LECTURE2, "['l02-claim']", "['l02-claim', 'l02-missing']",
     [(LECTURE2, 9, "no question file l02-missing.md in this lecture's folder")]),
    (LECTURE2, "['l02-claim']", "['l02-claim', 'l01-word']",
     [(LECTURE2, 9, "no question file l01-word.md in this lecture's folder (it is in 01-basics/: move it here)")]),
    (LECTURE2, "['l02-claim']", "['l02-claim', 'l02-claim']",
     [(LECTURE2, 9, "question “l02-claim” is listed twice: also by quiz “l02-quiz”")]),
    (LECTURE1, ", 'l01-word']", "]",
     [(WORD, 1, "no quiz of lecture.toml lists question “l01-word”: add it to a quiz's questions")]),
    (LECTURE2, "published = true", "published = tru", [(LECTURE2, 8, "Invalid value (at line 8, column 13)")]),
    (LECTURE2, "published = true", "publish = true", [
        (LECTURE2, 8, "unknown key “publish” (keys: uid, title, description, position, mode, published, opens, "
                      "closes, hint_after, try_credits, feedback_policy, questions)")]),
    (LECTURE2, "published = true", "published = true\nopens = 2026-10-01T10:00:00+02:00\n"
                                   "closes = 2026-09-01T10:00:00+02:00",
     [(LECTURE2, 10, "closes: The quiz must close after it opens.")]),
    (LECTURE1, "try_credits = '100,70,50'", "try_credits = '100,120'",
     [(LECTURE1, 13, "try_credits: Each entry must be more than 0 and at most 100.")]),
    (LECTURE1, "mode = 'practice'", "mode = 'exam'", [(LECTURE1, 10, "mode: Value 'exam' is not a valid choice.")]),
    (LECTURE1, "release = 2026-09-01T10:00:00+02:00", "release = 2026-09-01T10:00:00",
     [(LECTURE1, 4, "release: give the UTC offset too, e.g. 2026-09-01T10:00:00+02:00")]),
    (LECTURE2, "slug = 'more'", "slug = 'basics'", [(LECTURE2, 3, f"lecture slug “basics” is used twice: also in "
                                                                   f"{{root}}/{LECTURE1}")]),
    (LECTURE2, "number = 2", "number = 'two'", [(LECTURE2, 1, "number: expected a whole number, got 'two'")]),
    ("course.toml", "title = 'Machine Learning'\n", "", [("course.toml", 1, "“title” is missing")]),
])
def test_a_problem_is_listed_at_its_file_and_line_and_nothing_is_imported(tmp_path, file, old, new, expected):
    edit(course_dir(tmp_path), file, old, new)
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path)
    found = [(problem.file, problem.line, problem.message) for problem in raised.value.problems]
    wanted = [(f"{tmp_path}/{name}", line, message.replace("{root}", str(tmp_path)))
              for name, line, message in expected]
    if "(at line" in expected[0][2]:  # tomllib's message: only its end is ours to pin
        found = [(name, line, message[message.index("Invalid"):]) for name, line, message in found]
    assert found == wanted
    assert not Course.objects.exists() and not Question.objects.exists()


def test_every_problem_of_every_file_is_listed_and_an_existing_course_is_left_as_it_was(tmp_path):
    course_import(path=course_dir(tmp_path))
    before = snapshot()
    edit(tmp_path, NUMBER, "numeric_answer = 1.5", "numeric_answer = 2.5")  # a fine change, not imported
    edit(tmp_path, RULE, "correct = false", "correct = true")
    edit(tmp_path, CLAIM, "true_false_answer = true", "true_false_answer = 'yes'")
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path}/{RULE}:7: choices: A single-choice question needs exactly one correct choice; this one has 2.",
        f"{tmp_path}/{CLAIM}:4: true_false_answer: Enter true or false, not \"yes\".",
    ]
    assert snapshot() == before


MOODLE_RULE = """+++
uid = 'l01-rule'
kind = 'single'
title = 'Which rule?'
single_mode = 'fractions'

[[choices]]
text = 'The chain rule'
correct = true
fraction = 1.0

[[choices]]
text = 'The product rule'
correct = false
fraction = 0.5

[[choices]]
text = 'The quotient rule'
correct = false
fraction = -0.3333333
+++
Backpropagation computes the gradient with which rule?
"""


def test_fractions_import_and_export_as_written(tmp_path):
    (course_dir(tmp_path) / RULE).write_text(MOODLE_RULE)
    course_import(path=tmp_path)
    question = Question.objects.get(uid="l01-rule")
    assert question.settings == {"single_mode": "fractions"}
    assert list(question.choices.values_list("is_correct", "fraction")) == [
        (True, 1.0), (False, 0.5), (False, -0.3333333)]
    course_export(course=Course.objects.get(slug="ml"), path=tmp_path / "out")
    assert (tmp_path / "out" / RULE).read_text() == MOODLE_RULE
    assert "fraction" not in (tmp_path / "out/02-more/l02-claim.md").read_text()  # written only when set
    assert counts(course_import(path=tmp_path / "out")) == (0, 0, 4, 0, 0)


def test_fractions_that_break_moodles_rules_are_problems_of_the_file(tmp_path):
    (course_dir(tmp_path) / RULE).write_text(MOODLE_RULE.replace("fraction = 1.0", "fraction = 0.8").replace(
        "fraction = 0.5", "fraction = 'half'"))
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path}/{RULE}:15: fraction: expected a number, got 'half'"]
    edit(tmp_path, RULE, "fraction = 'half'", "fraction = 0.5")
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path}/{RULE}:7: choices: With fractions, the correct choices of a single-choice question are "
        "those worth 100 %: unmark choice 1.",
        f"{tmp_path}/{RULE}:7: choices: A single-choice question scored by fractions needs a choice worth 100 % "
        "(fraction 1); the highest here is 80 %."]
    assert not Question.objects.exists()


def test_a_missing_folder_is_a_problem(tmp_path):
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path / "nowhere")
    assert [str(problem) for problem in raised.value.problems] == [f"{tmp_path}/nowhere:1: no such folder"]


# --- Export ---


def test_export_then_import_into_an_empty_database_then_export_gives_the_same_bytes(tmp_path, course_with_everything):
    first, second = tmp_path / "first", tmp_path / "second"
    report = course_export(course=course_with_everything, path=first)
    assert (report.written, report.unchanged, report.removed) == (len(tree(first)), 0, ())
    Course.objects.all().delete()
    assert counts(course_import(path=first)) == (7, 0, 0, 0, 0)
    course_export(course=Course.objects.get(slug="dl"), path=second)
    assert tree(second) == tree(first)
    assert course_export(course=Course.objects.get(slug="dl"), path=second).written == 0


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="2"/></svg>'


def test_images_go_out_to_images_and_come_back_the_same(tmp_path, course_with_everything):
    first, second = tmp_path / "first", tmp_path / "second"
    image_store(course=course_with_everything, name="relu.png", data=PNG)
    image_store(course=course_with_everything, name="net.svg", data=SVG)
    Question.objects.filter(uid="single").update(prompt="See ![a ReLU plot](image:relu.png) and ![net](image:net.svg)")
    course_export(course=course_with_everything, path=first)
    assert tree(first)["images/relu.png"] == PNG and b"onload" not in tree(first)["images/net.svg"]
    Course.objects.all().delete()
    report = course_import(path=first)
    assert counts(report) == (7, 0, 0, 0, 0)
    assert [note for note in report.notes if "image" in note] == ["image “net.svg” created", "image “relu.png” created"]
    course = Course.objects.get(slug="dl")
    course_export(course=course, path=second)
    assert tree(second) == tree(first)
    assert not [note for note in course_import(path=second).notes if "image" in note]  # unchanged: not stored again


def test_images_are_checked_and_referenced_names_must_exist(tmp_path):
    course_dir(tmp_path)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "evil.svg").write_bytes(b"<!DOCTYPE svg [<!ENTITY a 'x'>]><svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "images" / "plot.png").write_bytes(PNG)
    question = next(tmp_path.glob("*/*.md"))
    question.write_text(question.read_text() + "\n![a plot](image:plot.png) ![gone](image:gone.png)\n")
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path}/images/evil.svg:1: “evil.svg” is not an SVG image we accept: its DOCTYPE declares "
        "entities or other things, which images do not need (entity expansion)."]
    (tmp_path / "images" / "evil.svg").unlink()
    with pytest.raises(CourseFilesInvalid) as raised:
        course_import(path=tmp_path)
    [problem] = raised.value.problems
    assert (problem.file, problem.message) == (
        str(question), "prompt: Image “gone.png”: the course has no image of that name (upload it first).")
    assert not Course.objects.filter(slug="ml").exists()


def test_reading_a_course_for_export_takes_four_queries(course_with_everything, django_assert_num_queries):
    with django_assert_num_queries(4):
        folder = course_folder(course_with_everything)
    assert [len(lecture.questions) for lecture in folder.lectures] == [7]


def test_a_file_saved_with_a_byte_order_mark_and_windows_line_ends_reads_the_same(tmp_path):
    course_dir(tmp_path)
    path = tmp_path / RULE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert counts(course_import(path=tmp_path)) == (4, 0, 0, 0, 0)
    assert Question.objects.get(uid="l01-rule").prompt == (
        "Backpropagation computes $\\frac{\\partial L}{\\partial x}$ with which rule?")


def test_export_writes_latex_as_typed_and_leaves_archived_questions_out(tmp_path, course_with_everything):
    course_export(course=course_with_everything, path=tmp_path)
    files = tree(tmp_path)
    assert "02-graphs/archived.md" not in files
    single = files["02-graphs/single.md"].decode()
    assert "hint = '''\nLine one with $\\frac{\\partial L}{\\partial x}$\nline two\n'''\n" in single
    assert "\\\\" not in single and "\r" not in single
    assert "points = 2.5\n" in single
    assert files["02-graphs/numeric.md"].decode().count("points") == 0  # 1 point: the default, left out


def test_export_into_an_earlier_export_removes_the_files_the_course_no_longer_has(tmp_path, course_with_everything):
    course_export(course=course_with_everything, path=tmp_path)
    (tmp_path / "README.md").write_text("Our course.")
    Question.objects.filter(uid="numeric").update(is_archived=True)
    report = course_export(course=course_with_everything, path=tmp_path)
    assert report.removed == ("02-graphs/numeric.md",)
    assert "02-graphs/numeric.md" not in tree(tmp_path) and "README.md" in tree(tmp_path)


def test_export_refuses_a_folder_that_is_no_earlier_export(tmp_path, course):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FolderRefused, match="is not empty and has no course.toml"):
        course_export(course=course, path=tmp_path)
    (tmp_path / "course.toml").write_text("slug = 'other'\n")
    with pytest.raises(FolderRefused, match="holds the course “other”, not “dl”"):
        course_export(course=course, path=tmp_path)
    assert sorted(tree(tmp_path)) == ["course.toml", "notes.txt"]


@pytest.fixture
def course_with_everything(quiz, make_user):
    """The conftest course "dl" with a question of every kind, awkward texts, a graded quiz and an archived question."""
    from quizzes.tests.factories import make_question

    quiz.uid, quiz.mode, quiz.try_credits, quiz.feedback_policy = "graphs-quiz", "graded", "100,50", "after_close"
    quiz.opens_at = dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)
    quiz.closes_at = dt.datetime(2026, 12, 24, 12, 30, tzinfo=dt.UTC)
    quiz.description = "Graded.\r\nTwo tries.  "
    quiz.save()
    Quiz.objects.create(lecture=quiz.lecture, uid="empty-quiz", title="Not written yet", position=2)
    kinds = [
        ("single", {"points": 2.5, "hint": "Line one with $\\frac{\\partial L}{\\partial x}$\r\nline two"}),
        ("multiple", {"multiple_mode": "each_answer", "explanation": "It's $x'$ and ''' too"}),
        ("true_false", {"true_false_answer": False}),
        ("numeric", {"numeric_answer": 0.1, "numeric_mode": "sigfigs", "digits": 3}),
        ("text", {"text_answers": ["validation set", "dev set"], "text_mode": "exact"}),
        ("computed", {"prompt": "", "generator": "computation_graph",
                      "generator_config": {"graph": "square", "wrt": "x"}}),
        ("computed_array", {"prompt": "", "generator": "softmax_gradient", "own_tolerance": True, "rtol": 0.05,
                            "atol": 0.0, "per_cell_credit": True}),
        ("true_false", {"true_false_answer": True}),
    ]
    for position, (kind, fields) in enumerate(kinds, start=1):
        fields = {"prompt": f"Prompt of ${kind}$ \\cdot 2\n\n  indented  ", "title": kind.title(), **fields}
        question = make_question(quiz=quiz, position=position, kind=kind, **fields)
        Question.objects.filter(pk=question.pk).update(uid="archived" if position == 8 else kind)
        if kind in ("single", "multiple"):
            Choice.objects.create(question=question, position=1, text="A $\\sigma$\r\nsecond line", is_correct=True)
            Choice.objects.create(question=question, position=2, text="B", feedback="Not B: see $\\int$.")
    Question.objects.filter(uid="archived").update(is_archived=True)
    return quiz.lecture.course


def test_a_choice_removed_from_an_unanswered_question_is_deleted(tmp_path):
    edit(course_dir(tmp_path), RULE, "+++\nBackprop", "\n[[choices]]\ntext = 'Finite differences'\n+++\nBackprop")
    course_import(path=tmp_path)
    edit(tmp_path, RULE, "\n[[choices]]\ntext = 'Finite differences'\n", "")
    assert counts(course_import(path=tmp_path)) == (0, 1, 3, 0, 0)
    assert list(Choice.objects.filter(question__uid="l01-rule").values_list("text", flat=True)) == [
        "The chain rule", "The quotient rule"]
