"""Fixtures shared by the quizzes tests: the toy generators and an admin author."""

import pytest
from django.contrib.auth.models import Permission

from compute import generators
from quizzes.tests.toy_generators import TOY_GENERATORS


@pytest.fixture
def toy_generators(monkeypatch):
    """``toy_product`` and ``toy_doubled`` (quizzes/tests/toy_generators.py) in the generator
    registry for this test only."""
    for generator in TOY_GENERATORS:
        monkeypatch.setitem(generators.REGISTRY, generator.slug, generator())


@pytest.fixture
def author(client, instructor):
    """``client`` logged in as the instructor, with the admin permissions of courses and quizzes."""
    instructor.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["courses", "quizzes"])
    )
    client.force_login(instructor)
    return client
