"""Test data for multi-step statistics, API and exports: an mlp_backward question asking five steps,
and students who answer it through the real service (``quizzes.submissions.submission_create``),
graded with carried errors by the multi-step kind.

Every student's variant is given the first one's numbers (``same_numbers``), so that equal slips
give equal wrong values, as when a class shares one set of numbers.
"""

import numpy as np

from compute.generators import get_generator
from compute.steps import step_chain
from courses.models import Enrolment
from quizzes.models import Submission, Variant
from quizzes.submissions import submission_create
from quizzes.tests.factories import form_data, make_question
from quizzes.variants import variants_for

STEPS = ("z1", "a1", "yhat", "L", "dL_dyhat")
MLP = get_generator("mlp_backward")


def multi_step_question(quiz, position: int = 1, **settings):
    return make_question(quiz=quiz, position=position, kind="multi_step", title="MLP steps",
                         generator="mlp_backward", generator_config={"activation": "relu", "hidden": 2},
                         steps=[{"step": name} for name in STEPS], **settings)


def enrol(make_user, course, username: str, role=Enrolment.Role.STUDENT):
    user = make_user(username)
    Enrolment.objects.create(user=user, course=course, role=role)
    return user


def same_numbers(question, students) -> Variant:
    """Each student's variant of ``question``, made now, with the numbers of the first one; that one."""
    variants = [variants_for(student=s, questions=[question])[question.id] for s in students]
    first = Variant.objects.get(pk=variants[0].pk)  # solved meanwhile (in process without a broker)
    assert first.is_ready, first.status
    Variant.objects.filter(pk__in=[v.pk for v in variants[1:]]).update(
        params=first.params, answer=first.answer, values=first.values, tolerance=first.tolerance,
        config=first.config, generator=first.generator)
    return first


def exact(variant) -> dict:
    return step_chain(MLP, variant.params, variant.config)


def slipped_z1(variant) -> dict:
    """z₁ wrong in one entry (|z| + d: its ReLU unit passes it on) and every later step computed right
    from it (the carried values), for the first unit and d in 1, 2, 3 that change every later step."""
    right = exact(variant)
    for delta in (1.0, 2.0, 3.0):
        for unit in range(len(right["z1"])):
            z1 = [abs(z) + delta if i == unit else z for i, z in enumerate(right["z1"])]
            carried = step_chain(MLP, variant.params, variant.config, {"z1": z1})
            if not any(np.allclose(carried[name], right[name], rtol=0.02) for name in STEPS[1:]):
                return {"z1": z1, **{name: carried[name] for name in STEPS[1:]}}
    raise AssertionError(f"no slip of z1 changes every step of {variant.params}")


def forgot_factor_2(variant) -> float:
    """∂L/∂ŷ without its factor 2 (the generator's named slip ``forgot_factor_2``)."""
    values = exact(variant)
    return values["yhat"] - variant.params["y"]


def answer(student, question, values: dict, digits: int = 10) -> Submission:
    """``values`` (step -> number or nested lists; steps left out are sent blank) posted as the quiz
    page sends them, through ``submission_create``."""
    variant = variants_for(student=student, questions=[question])[question.id]
    fields = {}
    for name in STEPS:
        count = int(np.prod(np.shape(variant.answer[name])))
        value = values.get(name)
        fields[f"step-{name}"] = ([f"{x:.{digits}g}" for x in np.ravel(value)] if value is not None
                                  else [""] * count)
    return submission_create(student=student, question=question, data=form_data(**fields))
