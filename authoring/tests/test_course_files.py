"""Reading and writing the files of a course (authoring/course_files.py, authoring/file_keys.py), no database."""

import datetime as dt
from pathlib import Path

import pytest

from authoring.course_files import (
    FolderRefused,
    QuestionFile,
    course_file_texts,
    is_course_file,
    question_file_text,
    read_course,
    write_course_folder,
)
from authoring.tests.course_dirs import FILES, UIDS, course_dir, tree

QUESTION = QuestionFile(
    fields={
        "uid": "l02-chain-rule", "kind": "single", "title": "Which rule?", "points": 1.0,
        "prompt": "Which rule gives $\\frac{\\partial L}{\\partial x}$?\r\n", "hint": "",
        "explanation": "  The chain rule:\n\n$$\\frac{\\partial L}{\\partial x} = \\frac{\\partial L}{\\partial z}"
                       "\\frac{\\partial z}{\\partial x}$$\n",
        "settings": {},
    },
    choices=[
        {"text": "The chain rule", "is_correct": True, "fraction": None, "feedback": ""},
        {"text": "The quotient rule", "is_correct": False, "fraction": None,
         "feedback": "Only for $u/v$: it's not about graphs."},
    ],
)
QUESTION_TEXT = r"""+++
uid = 'l02-chain-rule'
kind = 'single'
title = 'Which rule?'
explanation = '''
The chain rule:

$$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\frac{\partial z}{\partial x}$$
'''

[[choices]]
text = 'The chain rule'
correct = true

[[choices]]
text = 'The quotient rule'
correct = false
feedback = "Only for $u/v$: it's not about graphs."
+++
Which rule gives $\frac{\partial L}{\partial x}$?
"""


def test_a_question_file_leaves_out_defaults_and_keeps_latex_as_typed():
    assert question_file_text(QUESTION) == QUESTION_TEXT


def test_a_written_question_reads_back_as_the_same_values_tidied(tmp_path):
    course = course_dir(tmp_path)
    (course / "01-basics/l01-rule.md").write_text(question_file_text(QUESTION).replace("l02-chain-rule", "l01-rule"))
    folder, problems = read_course(course)
    assert problems == []
    question = folder.lectures[0].questions["l01-rule"]
    assert question.fields == {
        **QUESTION.fields, "uid": "l01-rule", "prompt": "Which rule gives $\\frac{\\partial L}{\\partial x}$?",
        "explanation": QUESTION.fields["explanation"].strip(),
    }
    assert question.choices == QUESTION.choices


def test_reading_gives_values_by_model_field_with_defaults_filled_in(tmp_path):
    folder, problems = read_course(course_dir(tmp_path))
    assert problems == []
    assert folder.fields == {"slug": "ml", "title": "Machine Learning", "term": "", "enrolment_code": "ML-2026",
                             "enrolment_open": True, "description": "Weekly quizzes."}
    first, second = folder.lectures
    assert first.fields["release_date"] == dt.datetime(2026, 9, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert second.quizzes[0].fields == {
        "uid": "l02-quiz", "title": "More checks", "description": "", "position": 1, "mode": "practice",
        "is_published": True, "opens_at": None, "closes_at": None, "hint_after": 1, "try_credits": "100,70,50",
        "feedback_policy": "immediate", "questions": ["l02-claim"]}
    assert [uid for lecture in folder.lectures for uid in lecture.questions] == sorted(UIDS[:3]) + UIDS[3:]
    assert first.questions["l01-number"].fields["settings"] == {"numeric_answer": 1.5}


def test_what_is_read_is_written_back_as_files_that_read_the_same(tmp_path):
    folder, _ = read_course(course_dir(tmp_path / "a"))
    texts = course_file_texts(folder)
    assert sorted(texts) == sorted(FILES)
    assert texts["02-more/lecture.toml"].endswith("feedback_policy = 'immediate'\nquestions = ['l02-claim']\n")
    write_course_folder(texts, tmp_path / "b", "ml")
    again, problems = read_course(tmp_path / "b")
    assert problems == []
    assert again.fields == folder.fields
    assert [lecture.fields for lecture in again.lectures] == [lecture.fields for lecture in folder.lectures]


def test_a_front_matter_problem_names_its_line(tmp_path):
    course = course_dir(tmp_path)
    (course / "02-more/l02-claim.md").write_text("+++\nuid = 'l02-claim'\nkind = 'true_false'\n")
    _, problems = read_course(course)
    assert [str(problem) for problem in problems] == [
        f"{course}/02-more/l02-claim.md:1: the front matter opened on line 1 has no closing '+++' line"]


def test_a_folder_of_question_files_without_lecture_toml_is_a_problem(tmp_path):
    course = course_dir(tmp_path)
    (course / "03-later").mkdir()
    (course / "03-later/l03-x.md").write_text("+++\n+++\n")
    (course / "images").mkdir()  # no question files: not a lecture folder
    _, problems = read_course(course)
    assert [str(problem) for problem in problems] == [f"{course}/03-later/lecture.toml:1: no such file: "
                                                      "a lecture folder needs one"]


@pytest.mark.parametrize(("relative", "expected"), [
    ("course.toml", True), ("01-a/lecture.toml", True), ("01-a/l01-x.md", True), ("README.md", False),
    ("01-a/notes.txt", False), ("01-a/img/x.md", False), (".git/x.md", False), ("01-a/course.toml", False),
])
def test_which_files_an_export_owns(relative, expected):
    assert is_course_file(Path(relative)) is expected


def test_writing_refuses_a_file_and_writes_only_what_changed(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(FolderRefused, match="is a file, not a folder"):
        write_course_folder({"course.toml": "slug = 'ml'\n"}, tmp_path / "file", "ml")
    target = tmp_path / "course"
    first = write_course_folder({"course.toml": "slug = 'ml'\n", "01-a/x.md": "+++\n+++\n"}, target, "ml")
    second = write_course_folder({"course.toml": "slug = 'ml'\n"}, target, "ml")
    assert (first.written, first.unchanged, first.removed) == (2, 0, ())
    assert (second.written, second.unchanged, second.removed) == (0, 1, ("01-a/x.md",))
    assert tree(target) == {"course.toml": b"slug = 'ml'\n"}  # the emptied lecture folder is gone too
