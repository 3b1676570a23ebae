"""Formulas are checked where authors write them: a formula that would not render as typed is refused
on save (admin, course files, ``Question.clean``) with the formula and its problem; and every formula
a student of the demo course sees (prompts, worked solutions, mistake messages) passes the same check."""

import pytest
from django.contrib.auth import get_user_model

from authoring.demo import demo_load
from quizzes.mathml import formula_problem
from quizzes.models import Question, Variant
from quizzes.question_validation import formula_errors, question_errors, validate_choices
from quizzes.tests.factories import make_question
from quizzes.variants import variants_for


@pytest.mark.parametrize(("latex", "problem"), [
    (r"\foo{x}", r"unknown command \foo"),
    ("x^{", "a { without its }"),
    ("a}", "a } without its {"),
    (r"\frac{1}", "a command is missing an argument"),
    (r"\left( x", r"a \left without its \right"),
    ("x_", "a ^ or _ with nothing after it"),
    (r"\begin{pmatrix} 1", r"a \begin{…} without its \end{…}"),
    (" ", "the formula is empty"),
])
def test_a_broken_formula_is_named_with_its_problem(latex, problem):
    assert formula_problem(latex) is not None and formula_problem(latex).startswith(problem)


@pytest.mark.parametrize("latex", [
    r"\frac{a}{b} + \sqrt[3]{x}", r"\mathrm{ReLU}(x) \le \operatorname{softmax}(z)_i", r"\{a, b\}",
    r"\begin{pmatrix}1 & 2\\ 3 & 4\end{pmatrix}", r"\hat y = \tilde{A}\, x \odot \mathbb{E}[x] \quad \text{step}",
    r"\left\lfloor \frac{n}{2} \right\rfloor", r"x_{i,j}^{(t)}",
])
def test_good_formulas_pass(latex):
    assert formula_problem(latex) is None


def test_every_broken_formula_of_a_question_is_refused_on_save_naming_its_field(quiz):
    question = make_question(quiz=quiz, kind="numeric", numeric_answer=1.0, prompt=r"Compute $\foo{x}$ and $x^{$.",
                             hint=r"Use $\frac{1}$.", explanation=r"Fine: $\frac{1}{2}$.")
    errors = question_errors(question)
    assert errors["prompt"] == [r"Formula “\foo{x}”: unknown command \foo.", "Formula “x^{”: a { without its }."]
    assert errors["hint"] == [r"Formula “\frac{1}”: a command is missing an argument (like \frac{a}{b} with only {a})."]
    assert "explanation" not in errors
    with pytest.raises(Exception) as refused:
        validate_choices("single", [("$a$", True), (r"$\left( b$", False)])
    assert refused.value.messages == [r"Choice 2: Formula “\left( b”: a \left without its \right."]


@pytest.mark.django_db(transaction=True)
def test_every_formula_a_student_of_the_demo_course_sees_renders_as_written():
    demo_load()
    student = get_user_model().objects.get(username="student")
    problems, checked = [], 0
    for question in Question.objects.filter(quiz__lecture__course__slug="deep-learning").prefetch_related("choices"):
        variant = Variant.objects.get(pk=variants_for(student=student, questions=[question])[question.id].pk)
        kind = question.kind_spec
        texts = {"prompt": kind.prompt(question, variant), "hint": question.hint, "explanation": question.explanation}
        texts.update({f"step {s.title}": s.body for s in kind.steps(question, variant)})
        texts.update({f"mistake {m['name']}": m["message"] for m in (variant.mistakes or [])})
        texts.update({f"choice {c.position}": c.text + "\n\n" + c.feedback for c in question.choices.all()})
        for entry in question.settings.get("wrong_answers", []):
            texts[f"wrong answer {entry['name']}"] = entry["feedback"]
        checked += sum("$" in text for text in texts.values())
        for where, text in texts.items():
            problems += [f"{question.uid} {where}: {message}" for message in formula_errors(text)]
    assert problems == []
    assert checked > 400  # prompts, steps and mistakes of solved variants were there to check
