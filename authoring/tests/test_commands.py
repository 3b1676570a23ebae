"""The course_import and course_export management commands: what they print, and how they fail."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from authoring.tests.course_dirs import course_dir, edit, tree
from courses.models import Course

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_course_import_prints_the_counts_and_a_dry_run_says_so(tmp_path):
    course_dir(tmp_path)
    out, _ = run("course_import", str(tmp_path), "--dry-run")
    assert out == ("Course ml dry run, nothing written. Questions: created 4, updated 0, unchanged 0, archived 0, "
                   "deleted 0.\n")
    assert not Course.objects.exists()
    out, _ = run("course_import", str(tmp_path))
    assert out == "Course ml imported. Questions: created 4, updated 0, unchanged 0, archived 0, deleted 0.\n"


def test_course_import_lists_each_problem_as_file_line_message_and_fails(tmp_path):
    edit(course_dir(tmp_path), "02-more/l02-claim.md", "true_false_answer = true\n", "")
    edit(tmp_path, "01-basics/lecture.toml", "hint_after = 1", "hint_after = -1")
    err = StringIO()
    with pytest.raises(CommandError, match="^2 problems in the course's files: nothing imported.$"):
        call_command("course_import", str(tmp_path), stderr=err)
    assert err.getvalue() == (
        f"{tmp_path}/01-basics/lecture.toml:12: hint_after: Ensure this value is greater than or equal to 0.\n"
        f"{tmp_path}/02-more/l02-claim.md:1: true_false_answer: Choose whether the correct answer is true or false.\n"
    )
    assert not Course.objects.exists()


def test_course_export_writes_the_folder_and_refuses_a_foreign_one(tmp_path):
    run("course_import", str(course_dir(tmp_path / "in")))
    out, _ = run("course_export", "ml", str(tmp_path / "out"))
    assert out == f"Course ml exported to {tmp_path / 'out'}: 7 files written, 0 unchanged, 0 removed.\n"
    assert len(tree(tmp_path / "out")) == 7
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign/thesis.tex").write_text("mine")
    with pytest.raises(CommandError, match="has no course.toml, so it is no earlier export.*Nothing written.$"):
        run("course_export", "ml", str(tmp_path / "foreign"))
    with pytest.raises(CommandError, match="^No course “nope” \\(courses: ml\\).$"):
        run("course_export", "nope", str(tmp_path / "out"))
