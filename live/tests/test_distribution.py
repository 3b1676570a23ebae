"""The room's figures (live/distribution.py) from answers sent through ``live.services.live_answer``:
each student's last answer counts once, only students count, nothing marks the right answer of a fixed
question before the reveal; numbers as bars or a trimmed histogram; rare texts hidden; computed
questions as right / partly / wrong with their named mistakes."""

import pytest

from courses.models import Enrolment
from live import services
from live.distribution import (
    MAX_NUMBER_BARS,
    LastAnswer,
    distribution,
    last_answers,
    number_bars,
    session_results,
)
from live.tests.staff_world import answer, control, enrol_students, make_live_world, register_toy_generators
from quizzes.models import Submission
from quizzes.tests.factories import make_question
from quizzes.variants import variants_for


@pytest.fixture
def toy_product(monkeypatch):
    register_toy_generators(monkeypatch)


@pytest.fixture
def world(course, quiz, instructor):
    return make_live_world(course=course, quiz=quiz, instructor=instructor)


def figures(world, position: int, *, revealed: bool):
    item = world.item(position)
    return distribution(item.question, last_answers([item], course=world.session.course)[item.id], revealed=revealed)


def test_choices_count_each_students_last_answer_and_hide_the_right_one_until_revealed(world, instructor):
    tanh, sigmoid, relu = world.pick.choices.order_by("position")
    zoltan, wilhelmina, xavier, _ = world.students
    control(world.session, "open")
    answer(world.session, zoltan, choice=sigmoid.id)
    answer(world.session, zoltan, choice=tanh.id)  # changed their mind: the last answer counts
    answer(world.session, wilhelmina, choice=tanh.id)
    answer(world.session, xavier, choice=relu.id)
    answer(world.session, instructor, choice=relu.id)  # staff trying the phone do not count
    assert Submission.objects.count() == 5
    hidden = figures(world, 0, revealed=False)
    assert (hidden.shape, hidden.answered, hidden.graded, hidden.pending, hidden.invalid) == ("choices", 3, 3, 0, 0)
    assert [(b.key, b.label, b.count) for b in hidden.bars] == [(str(tanh.id), "A", 2), (str(sigmoid.id), "B", 0),
                                                                (str(relu.id), "C", 1)]
    assert [b.share for b in hidden.bars] == pytest.approx([2 / 3, 0, 1 / 3])
    assert {b.correct for b in hidden.bars} == {None} and hidden.right is None and hidden.right_share is None
    shown = figures(world, 0, revealed=True)
    assert [b.correct for b in shown.bars] == [True, False, False]
    assert (shown.right, shown.partial, shown.wrong) == (2, 0, 1) and shown.right_share == pytest.approx(2 / 3)


def test_a_few_numbers_are_a_bar_each_and_invalid_input_is_counted_apart(world):
    control(world.session, "open")
    control(world.session, "next")
    control(world.session, "open")
    for student, typed in zip(world.students, ["1024", "1024.0", "512", "lots"], strict=True):
        answer(world.session, student, answer=typed)
    figures_ = figures(world, 1, revealed=True)
    assert (figures_.shape, figures_.answered, figures_.graded, figures_.invalid) == ("numbers", 4, 3, 1)
    assert [(b.label, b.count, b.correct) for b in figures_.bars] == [("512", 1, False), ("1024", 2, True)]
    assert (figures_.right, figures_.wrong) == (2, 1)


def test_many_numbers_make_a_histogram_whose_ends_hold_the_far_off_ones():
    values = [float(v) for v in range(100)] + [1e9]  # one typo far off must not squeeze the rest into one bin
    answers = [LastAnswer(i, "graded", 1.0 if v == 50 else 0.0, str(v), v, "") for i, v in enumerate(values)]
    bars = number_bars(answers, revealed=True)
    assert bars[-1].label == "> 95" and bars[-1].count == 5  # 96..99 and the typo
    assert bars[0].label == "< 5" and bars[0].count == 5
    middle = bars[1:-1]
    assert len(middle) == MAX_NUMBER_BARS and sum(b.count for b in middle) == 91  # 5..95
    assert [b.correct for b in bars].count(True) == 1 and next(b for b in bars if b.correct).label == "50–61.25"
    assert sum(b.count for b in bars) == len(values)


def test_a_typed_text_shows_only_once_two_students_gave_it(world, course):
    extra = enrol_students(course, [("ann_x", "Ann", "X"), ("ben_y", "Ben", "Y")])
    for _ in range(2):
        control(world.session, "open")
        control(world.session, "next")
    control(world.session, "open")
    typed = ["Gradient", "gradient ", "the loss", "the loss", "my secret nickname", "zzz"]
    for student, text in zip(world.students + extra, typed, strict=True):
        answer(world.session, student, answer=text)
    hidden = figures(world, 2, revealed=False)
    assert hidden.shape == "texts"
    assert [(b.label, b.count, b.correct) for b in hidden.bars] == [("gradient", 2, None), ("the loss", 2, None)]
    assert hidden.others == 2 and hidden.graded == 6
    assert [b.correct for b in figures(world, 2, revealed=True).bars] == [True, False]


def test_a_computed_question_shows_right_partly_and_wrong_with_its_named_mistakes(course, quiz, instructor,
                                                                                     toy_product):
    question = make_question(quiz=quiz, kind="computed", generator="toy_product", prompt="")
    session = services.session_start(course=course, by=instructor, questions=[question], title="Products")
    students = enrol_students(course)
    control(session, "open")
    for student, how in zip(students, ["right", "added", "added", "off"], strict=True):
        services.session_join(session=session, student=student)
        variant = variants_for(student=student, questions=[question])[question.id]
        variant.refresh_from_db()
        a, b = variant.params["a"], variant.params["b"]
        typed = {"right": a * b, "added": a + b, "off": a * b + 1000}[how]
        answer(session, student, answer=f"{typed:g}")
    item = session.items.get()
    figures_ = distribution(question, last_answers([item], course=course)[item.id], revealed=False)
    assert figures_.shape == "outcomes" and figures_.graded == 4
    assert [(b.key, b.count) for b in figures_.bars] == [("right", 1), ("partial", 0), ("wrong", 3)]
    assert (figures_.right, figures_.wrong) == (1, 3)  # shown before the reveal: everyone had their own answer
    assert [(m.name, m.count, m.share) for m in figures_.mistakes] == [("added", 2, 0.5)]


def test_session_results_cover_every_question_in_order_as_revealed(world):
    tanh = world.pick.choices.get(is_correct=True)
    control(world.session, "open")
    answer(world.session, world.students[0], choice=tanh.id)
    results = session_results(world.session)
    assert [r.item.position for r in results] == [0, 1, 2]
    assert results[0].distribution.right == 1 and results[0].distribution.bars[0].correct is True
    assert results[1].distribution.answered == 0 and results[1].distribution.right_share is None


def test_a_former_student_now_staff_is_not_counted(world):
    control(world.session, "open")
    answer(world.session, world.students[0], choice=world.pick.choices.first().id)
    Enrolment.objects.filter(user=world.students[0]).update(role=Enrolment.Role.TA)
    assert figures(world, 0, revealed=False).answered == 0
