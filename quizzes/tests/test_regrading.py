"""Question versions and regrading: an answered question that changes gets a new version, and a
regrade grades every answer again against it, fairly (dry run first, records kept, students told)."""

import re
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from courses.models import Enrolment
from progress.statistics import question_statistics
from quizzes.models import Question, Regrade, Submission, Variant
from quizzes.questions import question_version_update
from quizzes.regrading import question_regrade
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data, make_question
from quizzes.variants import variants_for


def enrolled(make_user, course, name):
    user = make_user(name)
    Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)
    return user


def answer(student, question, text, nonce):
    return submission_create(student=student, question=question, data=form_data(answer=text), nonce=nonce)


def wrong_key(quiz):
    """A numeric question whose author typed 0.5 where 0.25 is right, answered by two students."""
    question = make_question(quiz=quiz, kind="numeric", prompt="$\\sigma'(0)$?", numeric_answer=0.5, points=2.0)
    question_version_update(question=question)  # what the admin does on save
    return question


def fix_key(question):
    question.settings = {**question.settings, "numeric_answer": 0.25}
    question.save()
    return question_version_update(question=question)


def test_an_answered_question_that_changes_gets_a_new_version_and_answers_remember_theirs(quiz, student):
    question = wrong_key(quiz)
    question.hint = "Use σ(0) = 1/2."
    question.save()
    assert question_version_update(question=question) is False and question.version == 1  # no answers yet
    first = answer(student, question, "0.25", "a")
    question.hint = "Use σ'(z) = σ(z)(1 − σ(z))."  # a hint is not graded: same version
    question.save()
    assert question_version_update(question=question) is False
    assert fix_key(question) is True and Question.objects.get(pk=question.pk).version == 2
    second = answer(student, Question.objects.get(pk=question.pk), "0.3", "b")
    assert (first.question_version, second.question_version) == (1, 2)


def test_a_dry_run_says_what_would_change_and_changes_nothing(quiz, student, make_user, course):
    question = wrong_key(quiz)
    bob = enrolled(make_user, course, "bob")
    answer(student, question, "0.25", "a")  # right, marked wrong
    answer(bob, question, "0.5", "b")  # wrong, marked right
    fix_key(question)
    report = question_regrade(question=question)
    assert (report.checked, report.students, report.applied, report.version) == (2, 2, False, 2)
    assert sorted((c.student, c.old_score, c.new_score, c.old_points, c.new_points) for c in report.changes) == [
        ("alice", 0.0, 1.0, 0.0, 2.0), ("bob", 1.0, 0.0, 2.0, 0.0)]
    assert sorted(Submission.objects.values_list("score", flat=True)) == [0.0, 1.0]
    assert not Regrade.objects.exists() and not Submission.objects.filter(regraded_at__isnull=False).exists()


def test_a_regrade_stores_new_scores_with_records_and_the_student_is_told(quiz, student, instructor, client):
    question = wrong_key(quiz)
    answer(student, question, "0.25", "a")
    answer(student, question, "0.3", "b")  # wrong either way: unchanged
    fix_key(question)
    report = question_regrade(question=question, dry_run=False, by=instructor, reason="Answer key was 0.5")
    assert report.applied and len(report.changes) == 1
    right = Submission.objects.get(nonce="a")
    assert (right.score, right.points, right.feedback, right.regraded_at is not None) == (1.0, 2.0, "Correct.", True)
    assert Submission.objects.get(nonce="b").regraded_at is None
    [record] = Regrade.objects.all()
    assert (record.submission_id, record.old_score, record.new_score, record.question_version, record.reason,
            record.regraded_by) == (right.pk, 0.0, 1.0, 2, "Answer key was 0.5", instructor)
    client.force_login(student)
    page = client.get(reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])).content.decode()
    assert "Regraded on" in page and "your answers were graded again" in page


def test_try_credits_apply_to_regraded_points(quiz, student):
    quiz.mode, quiz.try_credits = "exam", "100,50"
    quiz.save()
    question = wrong_key(quiz)
    answer(student, question, "0.3", "a")
    answer(student, question, "0.25", "b")  # right on the second try: half the points
    fix_key(question)
    question_regrade(question=question, dry_run=False)
    assert Submission.objects.get(nonce="b").points == 1.0 and Submission.objects.get(nonce="a").points == 0.0


def test_a_computed_question_is_solved_again_from_the_numbers_students_saw(quiz, student, toy_generators):
    question = make_question(quiz=quiz, kind="computed", generator="toy_product", prompt="", generator_config={})
    variant = variants_for(student=student, questions=[question])[question.id]
    variant = Variant.objects.get(pk=variant.pk)
    a, b = variant.params["a"], variant.params["b"]
    answer(student, question, f"{a * b:g}", "a")
    assert Submission.objects.get().score == 1.0
    question.settings = {**question.settings, "generator_config": {"scale": 2}}
    question.save()
    report = question_regrade(question=question, dry_run=False, reason="forgot the scale")
    assert (report.resolved, len(report.changes), report.errors) == (1, 1, [])
    solved = Variant.objects.get(pk=variant.pk)
    assert solved.params == variant.params and solved.answer == 2 * a * b and solved.config["scale"] == 2
    assert Submission.objects.get().score == 0.0


def test_the_command_runs_a_dry_run_or_the_regrade(quiz, student):
    question = wrong_key(quiz)
    answer(student, question, "0.25", "a")
    fix_key(question)
    out = StringIO()
    call_command("regrade_question", question.pk, "--dry-run", stdout=out)
    assert "1 change for 1 student(s)" in out.getvalue() and "score 0.0 → 1.0" in out.getvalue()
    assert Submission.objects.get().score == 0.0
    call_command("regrade_question", question.pk, "--reason", "key", stdout=StringIO())
    assert Submission.objects.get().score == 1.0 and Regrade.objects.get().reason == "key"


def test_the_admin_action_shows_the_dry_run_then_applies(author, quiz, student):
    question = wrong_key(quiz)
    answer(student, question, "0.25", "a")
    fix_key(question)
    changelist = reverse("admin:quizzes_question_changelist")
    page = author.post(changelist, {"action": "regrade", "_selected_action": [question.pk]}).content.decode()
    assert "would change</strong>, for 1 student" in page and "alice" in page and "0 → 1" in page
    assert Submission.objects.get().score == 0.0
    author.post(changelist, {"action": "regrade", "_selected_action": [question.pk], "apply": "yes",
                             "reason": "wrong key"})
    assert Submission.objects.get().score == 1.0 and Regrade.objects.get().reason == "wrong key"


def test_the_regrade_records_are_listed_in_the_admin(author, quiz, student, instructor):
    question = wrong_key(quiz)
    answer(student, question, "0.25", "a")
    fix_key(question)
    question_regrade(question=question, dry_run=False, by=instructor, reason="the key said 0.5")
    page = author.get(reverse("admin:quizzes_regrade_changelist")).content.decode()
    assert "the key said 0.5" in page and "alice" in page and "ingrid" in page


def test_statistics_split_the_tries_by_version(author, quiz, student, make_user, course):
    question = wrong_key(quiz)
    answer(student, question, "0.25", "a")  # version 1: marked wrong
    fix_key(question)
    bob = enrolled(make_user, course, "bob")
    answer(bob, Question.objects.get(pk=question.pk), "0.25", "b")  # version 2: right
    answer(bob, Question.objects.get(pk=question.pk), "0.5", "c")  # version 2: wrong (bob tries again)
    [statistics] = question_statistics(quiz=quiz)
    assert statistics.versions == [(1, 1, 0.0), (2, 2, 0.5)]
    page = author.get(reverse("progress:quiz_statistics", args=[quiz.lecture.course.slug, quiz.id])).content.decode()
    assert "By version of the question" in page
    rows = re.findall(r'<tr><td class="num">(\d)</td><td class="num">(\d)</td>', page)
    assert rows == [("1", "1"), ("2", "2")]


def test_a_changed_fraction_is_a_new_version_and_a_regrade_grades_with_it(quiz, student, instructor):
    question = make_question(quiz=quiz, kind="multiple", prompt="Which?", multiple_mode="fractions")
    a = question.choices.create(position=1, text="a", is_correct=True, fraction=0.5)
    b = question.choices.create(position=2, text="b", is_correct=True, fraction=0.5)
    question_version_update(question=question)
    picked = submission_create(student=student, question=question, data=form_data(choice=[a.id]), nonce="a")
    assert picked.score == 0.5
    a.fraction, b.fraction = 0.75, 0.25
    a.save()
    b.save()
    assert question_version_update(question=question) is True
    question_regrade(question=question, dry_run=False, by=instructor, reason="a is worth more")
    assert Submission.objects.get(nonce="a").score == 0.75


def test_choices_without_fractions_keep_the_fingerprint_they_had_before_fractions_existed(quiz):
    import hashlib
    import json

    from quizzes.questions import question_fingerprint

    question = make_question(quiz=quiz, kind="single", prompt="Which?")
    question.choices.create(position=1, text="a", is_correct=True)
    question.choices.create(position=2, text="b")
    assert question.settings == {}  # single_mode's default is not stored
    payload = ["single", "Which?", 1.0, {}, [["a", True], ["b", False]]]  # the fingerprint's input until now
    assert question_fingerprint(question) == hashlib.sha256(
        json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
