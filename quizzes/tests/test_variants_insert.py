"""The raw-SQL insert of precomputed variants (``quizzes.variants.variants_insert``), and one path
for finishing a variant: a precomputed variant equals the same variant solved on its own.

``variants_insert`` lists Variant's columns itself (bulk_create was too slow for precomputing), so
a column added to the model must not be left out of it: one already was (``after_reveal``).
"""

import re

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compute.batch import generate_columns, to_rows
from courses.models import Enrolment
from quizzes.models import Variant
from quizzes.seeds import variant_seed
from quizzes.tasks import variants_solve
from quizzes.tests.factories import make_question
from quizzes.variants import quiz_precompute, ready_fields, variants_for, variants_insert

INSERTED = [f for f in Variant._meta.concrete_fields if not f.primary_key]


@pytest.fixture
def computed(quiz):
    return make_question(quiz=quiz, position=1, kind="computed", generator="mlp_backward", prompt="")


def precomputed_row(*, student, question, number: int = 1) -> dict:
    """One row built the way ``quiz_precompute`` builds it (batched solve, stored form, ready fields)."""
    kind = question.kind_spec
    generator, config = kind.generator(question), kind.config(question)
    seed = variant_seed(student_id=student.id, question_id=question.id, number=number)
    (row,) = to_rows(generate_columns(generator, np.array([seed], dtype=np.uint64), config, "cpu"))
    now = timezone.now()
    return {"student_id": student.id, "question_id": question.id, "number": number, "seed": seed,
            "generator": generator.slug, "config": config, "params": row["params"], "created_at": now,
            "attempted_at": now, **ready_fields(row, compute_ms=1.5, device="cpu")}


def inserted_columns(sql: str) -> list[str]:
    match = re.search(r"INSERT INTO \S+ \((.*?)\) VALUES", sql)
    assert match is not None, sql
    return [column.strip().strip('"`') for column in match.group(1).split(",")]


def test_the_insert_names_every_concrete_column_but_the_primary_key(student, computed):
    with CaptureQueriesContext(connection) as queries:
        variants_insert([precomputed_row(student=student, question=computed)])
    (sql,) = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
    assert inserted_columns(sql) == [f.column for f in INSERTED]


def test_the_insert_names_every_not_null_column_of_the_table(student, computed):
    """Against the database itself, so a column a migration added is caught as well."""
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, Variant._meta.db_table)
    not_null = {c.name for c in table if not c.null_ok} - {Variant._meta.pk.column}
    assert "student_id" in not_null and "status" in not_null  # the introspection found the table
    with CaptureQueriesContext(connection) as queries:
        variants_insert([precomputed_row(student=student, question=computed)])
    (sql,) = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
    assert not_null <= set(inserted_columns(sql))


def test_a_precomputed_row_inserts_a_variant_that_reads_back_equal(student, computed):
    row = precomputed_row(student=student, question=computed)
    required = {f.attname for f in INSERTED if not f.null and not f.has_default()}
    assert required <= set(row), f"the row leaves out NOT NULL columns without a default: {required - set(row)}"
    variants_insert([row])
    variant = Variant.objects.get(student=student, question=computed)
    assert {name: getattr(variant, name) for name in row} == row
    for field in INSERTED:  # what the row leaves out takes the field's default, never NULL where not allowed
        if field.attname not in row:
            assert getattr(variant, field.attname) == field.get_default(), field.name
        if not field.null:
            assert getattr(variant, field.attname) is not None, field.name
    assert variant.is_ready and variant.revealed_at is None


def test_a_second_insert_of_the_same_variant_is_skipped(student, computed):
    row = precomputed_row(student=student, question=computed)
    variants_insert([row])
    variants_insert([{**row, "answer": -1.0, "device": "cuda"}])  # a second precompute that raced the first
    variant = Variant.objects.get(student=student, question=computed)
    assert (variant.answer, variant.device) == (row["answer"], "cpu")


FINISHED = ("seed", "generator", "config", "params", "answer", "values", "mistakes", "tolerance", "status", "error")


@pytest.mark.parametrize(
    "kind, slug",
    [
        ("computed", "mlp_backward"),  # solved column-wise (vectorized)
        ("computed", "activation_derivative"),  # one generate call per seed
        ("computed_array", "softmax_gradient"),  # a vector answer
        ("computed_array", "pooling_output"),  # a matrix answer
    ],
)
def test_a_precomputed_variant_equals_the_same_variant_solved_on_its_own(
    make_user, course, quiz, monkeypatch, kind, slug
):
    """One path for finishing a variant: ``quiz_precompute`` (batched, raw insert) and
    ``quizzes.tasks.variants_solve`` (a page view's variant, solved by the task) store the same."""
    question = make_question(quiz=quiz, position=1, kind=kind, generator=slug, prompt="")
    students = [make_user(f"s{i}") for i in range(3)]
    for user in students:
        Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)
    assert quiz_precompute(quiz_id=quiz.id) == len(students)
    batched = {v.student_id: {f: getattr(v, f) for f in FINISHED} for v in Variant.objects.filter(question=question)}
    Variant.objects.all().delete()

    monkeypatch.setattr("quizzes.variants.queue_solve", lambda variants: None)  # solved below, by the task
    made = [variants_for(student=user, questions=[question])[question.id] for user in students]
    assert {v.status for v in made} == {"pending"}
    assert variants_solve([v.id for v in made]) == len(students)
    single = {v.student_id: {f: getattr(v, f) for f in FINISHED} for v in Variant.objects.filter(question=question)}
    assert set(batched) == {user.id for user in students} and single == batched
