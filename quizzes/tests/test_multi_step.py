"""Multi-step questions end to end with the Django test client and the real mlp_backward steps:
exact answers, a single early slip with carried credit on the later steps, named slips per step,
blank and invalid steps, guided mode, live grading through the compute queue, and the author's checks."""

import json

import numpy as np
import pytest
from django.urls import reverse

from compute.generators import get_generator
from compute.steps import step_chain
from quizzes.models import Submission, Variant
from quizzes.tasks import submissions_grade
from quizzes.tests.factories import make_question

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
STEPS = [{"step": "z1"}, {"step": "a1"}, {"step": "yhat"}, {"step": "L"}, {"step": "dL_dyhat", "weight": 2}]
MLP = get_generator("mlp_backward")


@pytest.fixture
def multi(quiz):
    return make_question(quiz=quiz, position=1, kind="multi_step", generator="mlp_backward",
                         generator_config={"activation": "relu", "hidden": 2}, steps=STEPS, carried_credit=0.5,
                         prompt="Forward and backward through {{ W1 }}.")


def page(client, quiz) -> str:
    return client.get(reverse("quizzes:quiz", args=[quiz.lecture.course.slug, quiz.id])).content.decode()


def post(client, question, **data):
    url = reverse("quizzes:answer", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])
    return client.post(url, data, **FETCH)


def boxes(values: dict) -> dict:
    """Form fields ``step-NAME`` for each step's value (a number or nested lists), row-major."""
    return {f"step-{name}": [f"{x:.10g}" for x in np.ravel(value)] for name, value in values.items()}


def variant_of(student, question) -> Variant:
    return Variant.objects.get(student=student, question=question)


def exact_of(variant) -> dict:
    return step_chain(MLP, variant.params, variant.config)


def test_page_shows_one_fieldset_per_step_and_no_value(student_client, student, multi):
    html = page(student_client, multi.quiz)
    variant = variant_of(student, multi)
    assert set(variant.answer) == {"z1", "a1", "yhat", "L", "dL_dyhat"}
    for number in range(1, 6):
        assert f"Step {number}:" in html
    assert html.count('name="step-z1"') == 2 and html.count('name="step-L"') == 1  # hidden = 2: a vector of 2
    assert 'class="steps-diagram"' in html
    for value in (variant.answer["L"], variant.answer["dL_dyhat"]):
        assert f"{value:.6g}" not in html


def test_exact_values_get_full_credit(student_client, student, multi):
    page(student_client, multi.quiz)
    exact = exact_of(variant_of(student, multi))
    post(student_client, multi, **boxes({name: exact[name] for name in ("z1", "a1", "yhat", "L", "dL_dyhat")}))
    submission = Submission.objects.get()
    assert submission.status == "graded" and submission.score == 1.0 and submission.feedback == "Correct."
    assert [m["mark"] for m in submission.step_marks] == ["right"] * 5


def test_one_early_slip_then_right_work_earns_exactly_the_carried_credit(student_client, student, multi):
    """Step 1 wrong (z₁ off by 1 in each entry), every later step computed correctly from it: steps
    2-5 are carried, so the score is (0·1 + 0.5·(1 + 1 + 1 + 2)) / 6 = 2.5 / 6."""
    page(student_client, multi.quiz)
    variant = variant_of(student, multi)
    exact = exact_of(variant)
    slip = {"z1": [z + 1.0 for z in exact["z1"]]}
    carried = step_chain(MLP, variant.params, variant.config, slip)
    changed = [n for n in ("a1", "yhat", "L", "dL_dyhat") if not np.allclose(carried[n], exact[n], rtol=0.02)]
    assert changed, "the slip must change the later steps for this test to mean anything"
    answers = {**slip, **{n: carried[n] for n in ("a1", "yhat", "L", "dL_dyhat")}}
    html = post(student_client, multi, **boxes(answers)).content.decode()
    submission = Submission.objects.get()
    marks = {m["step"]: m["mark"] for m in submission.step_marks}
    assert marks["z1"] == "wrong"
    for name in changed:
        assert marks[name] == "carried"
    expected = (sum({"a1": 1, "yhat": 1, "L": 1, "dL_dyhat": 2}[n] for n in changed) * 0.5
                + sum({"a1": 1, "yhat": 1, "L": 1, "dL_dyhat": 2}[n] for n in ("a1", "yhat", "L", "dL_dyhat")
                      if n not in changed)) / 6
    assert submission.score == pytest.approx(expected)
    assert "The first wrong step is step 1" in submission.feedback
    assert "First wrong step:</strong> step 1" in html and "but it is wrong (see step 1)" in html
    assert "step-first-wrong" in html


def test_a_named_slip_of_a_step_is_named(student_client, student, multi):
    page(student_client, multi.quiz)
    exact = exact_of(variant_of(student, multi))
    variant = variant_of(student, multi)
    forgot = exact["yhat"] - variant.params["y"]  # ∂L/∂ŷ without the factor 2
    post(student_client, multi, **boxes({**{n: exact[n] for n in ("z1", "a1", "yhat", "L")}, "dL_dyhat": forgot}))
    submission = Submission.objects.get()
    assert submission.mistake == "forgot_factor_2"
    assert submission.step_marks[-1]["mistake"] == "forgot_factor_2"
    assert "factor 2" in submission.step_marks[-1]["message"]


def test_blank_steps_earn_nothing_and_a_half_filled_step_is_invalid(student_client, student, multi):
    page(student_client, multi.quiz)
    exact = exact_of(variant_of(student, multi))
    blank = {"step-z1": ["", ""], "step-a1": ["", ""], "step-yhat": "", "step-L": "",
             "step-dL_dyhat": f"{exact['dL_dyhat']:.10g}"}
    post(student_client, multi, **blank)
    submission = Submission.objects.get()
    assert submission.score == pytest.approx(2 / 6)
    assert [m["mark"] for m in submission.step_marks] == ["blank"] * 4 + ["right"]
    post(student_client, multi, **{**blank, "step-z1": [f"{exact['z1'][0]}", ""]})
    invalid = Submission.objects.latest("id")
    assert invalid.status == "invalid" and "Step 1: fill in every entry" in invalid.feedback
    post(student_client, multi, **{**blank, "step-dL_dyhat": ""})
    assert Submission.objects.latest("id").feedback == "Enter at least one step."
    response = post(student_client, multi, **{**blank, "step-z1": ["1"]})
    assert response.status_code == 400  # a request no form of ours sends


def test_guided_mode_opens_steps_one_by_one_and_shown_steps_earn_nothing(student_client, student, quiz):
    question = make_question(quiz=quiz, position=1, kind="multi_step", generator="mlp_backward",
                             generator_config={"activation": "tanh", "hidden": 2}, mode="guided",
                             steps=[{"step": "z1"}, {"step": "a1"}, {"step": "yhat"}])
    html = page(student_client, quiz)
    assert html.count('name="step-z1"') == 2 and 'name="step-a1"' not in html and "Opens after step 1" in html
    exact = exact_of(variant_of(student, question))
    post(student_client, question, **boxes({"z1": exact["z1"]}))
    html = page(student_client, quiz)
    assert 'name="step-a1"' in html and 'name="step-yhat"' not in html
    post(student_client, question, show="a1", **boxes({"z1": exact["z1"]}))
    shown = Submission.objects.latest("id")
    assert shown.value["shown"] == ["a1"] and [m["mark"] for m in shown.step_marks] == ["right", "shown", "blank"]
    post(student_client, question, **boxes({"z1": exact["z1"], "a1": exact["a1"], "yhat": exact["yhat"]}))
    last = Submission.objects.latest("id")
    assert [m["mark"] for m in last.step_marks] == ["right", "shown", "right"]  # shown stays shown
    assert last.score == pytest.approx(2 / 3)


def test_with_a_broker_the_answer_waits_pending_and_the_compute_task_grades_it(
        student_client, student, multi, monkeypatch, django_capture_on_commit_callbacks):
    page(student_client, multi.quiz)
    exact = exact_of(variant_of(student, multi))
    sent = []
    monkeypatch.setattr("quizzes.submissions.grading_in_process", lambda: False)
    monkeypatch.setattr("quizzes.submissions.send_task", lambda task, ids: sent.append((task.name, ids)))
    with django_capture_on_commit_callbacks(execute=True):
        post(student_client, multi, **boxes({"z1": exact["z1"]}),
             **{"step-a1": ["", ""], "step-yhat": "", "step-L": "", "step-dL_dyhat": ""})
    pending = Submission.objects.get()
    assert pending.status == "pending" and "being checked" in pending.feedback
    assert sent == [("quizzes.tasks.submissions_grade", [pending.variant_id])]
    assert submissions_grade([pending.variant_id]) == 1
    pending.refresh_from_db()
    assert pending.status == "graded" and pending.step_marks[0]["mark"] == "right"


def test_the_author_gets_every_step_problem_at_once(quiz):
    question = make_question(quiz=quiz, kind="multi_step", generator="mlp_backward", carried_credit=1.5,
                             steps=[{"step": "z1"}, {"step": "z9"}, {"step": "z1", "weight": 0}])
    errors = question.kind_spec.check(question)
    text = json.dumps(errors, ensure_ascii=False)
    assert "between 0 and 1" in text and "“z9” is not a step" in text and "asked twice" in text
    assert "weight must be a positive number" in text
    no_steps = make_question(quiz=quiz, kind="multi_step", generator="formula", steps=[{"step": "x"}])
    message = json.dumps(no_steps.kind_spec.check(no_steps), ensure_ascii=False)
    assert "has no steps; generators with steps: " in message and "mlp_backward" in message


def test_the_admin_saves_a_multi_step_question_and_shows_every_step_problem_and_the_steps(author, quiz):
    from django.urls import reverse

    from quizzes.models import Question
    from quizzes.tests.admin_forms import ADD, question_form

    preview = reverse("admin:quizzes_question_preview")
    form = question_form(quiz, kind="multi_step", generator="mlp_backward", prompt="", mode="all",
                         generator_config='{"hidden": 2}', carried_credit=0.5,
                         steps='[{"step": "z1"}, {"step": "dL_dW1", "weight": 2}]')
    page = author.post(preview, form).content.decode()
    assert "No problems" in page and "Steps of seed 1" in page and page.count("<tr><td>") == 2
    broken = {**form, "steps": '[{"step": "z9"}, {"step": "z1", "weight": -1}]', "carried_credit": 2}
    page = author.post(preview, broken).content.decode()
    assert "“z9” is not a step" in page and "weight must be a positive number" in page and "between 0 and 1" in page
    syntax = author.post(ADD, {**form, "steps": '[{"step": "z1"'}).content.decode()
    assert "Not valid JSON: line 1, column" in syntax and not Question.objects.exists()
    response = author.post(ADD, form)
    assert response.status_code == 302
    saved = Question.objects.get()
    assert saved.kind == "multi_step" and saved.settings["steps"] == [{"step": "z1"}, {"step": "dL_dW1", "weight": 2}]


def test_a_step_that_follows_from_right_but_rounded_inputs_is_right():
    """L = (ŷ − y)² with ŷ typed 1 % off (right within tolerance): L from that ŷ differs from the exact L
    by about 2 %, beyond the tolerance; it follows from a right input, so it is right, not wrong."""
    from quizzes.step_grading import AskedStep, grade_steps

    asked = [AskedStep("yhat", 1.0, "\\hat y", ()), AskedStep("L", 1.0, "L", ("yhat",))]
    exact = {"yhat": 3.0, "L": 4.0}  # y = 1
    answers = {"yhat": 3.02, "L": 2.02 ** 2}
    carried = {"yhat": 3.0, "L": 2.02 ** 2}
    grade = grade_steps(asked, answers, exact=exact, carried=carried, slips={}, messages={},
                        depends={"yhat": (), "L": ("yhat",)}, tolerance={"rtol": 0.01, "atol": 1e-4},
                        carried_credit=0.5)
    assert [m["mark"] for m in grade.steps] == ["right", "right"] and grade.score == 1.0


@pytest.mark.django_db
def test_grading_never_fails_on_any_answers(quiz):
    """Hypothesis: random answers (huge, tiny, signs, blanks) to every step of an 8-step question always
    grade, with a score in [0, 1] and one mark per step."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    question = make_question(quiz=quiz, kind="multi_step", generator="mlp_backward",
                             generator_config={"hidden": 2, "activation": "tanh"},
                             steps=[{"step": s} for s in ("z1", "a1", "yhat", "L", "dL_dyhat", "dL_da1", "dL_dz1",
                                                          "dL_dW1")])
    generator = MLP
    config = generator.clean_config({"hidden": 2, "activation": "tanh"})
    params = generator.sample(7, config)
    exact = step_chain(generator, params, config)
    variant = Variant(question=question, generator="mlp_backward", config=config, params=params,
                      answer=exact, tolerance=generator.tolerance(config), status="ready")
    number = st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.sampled_from([0.0, -0.0, 1e-300]))

    def shaped(value):
        return st.one_of(st.none(), st.just(value), (st.lists(number, min_size=len(np.ravel(value)),
                                                                max_size=len(np.ravel(value)))
                                                       .map(lambda xs: np.reshape(xs, np.shape(value)).tolist())))

    @settings(max_examples=60, deadline=None)
    @given(st.fixed_dictionaries({name: shaped(exact[name]) for name in ("z1", "a1", "yhat", "L", "dL_dyhat",
                                                                          "dL_da1", "dL_dz1", "dL_dW1")}))
    def grades(answers):
        grade = question.kind_spec.grade(question, {"answers": answers, "shown": []}, choices=[], variant=variant)
        assert 0.0 <= grade.score <= 1.0 and len(grade.steps) == 8

    grades()


def test_a_step_added_after_a_variant_was_solved_is_not_asked_in_that_variant(student_client, student, multi):
    page(student_client, multi.quiz)
    multi.settings["steps"] = [*STEPS, {"step": "dL_da1"}]
    multi.save()
    html = page(student_client, multi.quiz)
    assert 'name="step-dL_da1"' not in html and "Step 5:" in html and "Step 6:" not in html
    exact = exact_of(variant_of(student, multi))
    post(student_client, multi, **boxes({name: exact[name] for name in ("z1", "a1", "yhat", "L", "dL_dyhat")}))
    assert Submission.objects.get().score == 1.0
