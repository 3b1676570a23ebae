"""Enrolment with a course code, and roles."""

import pytest

from courses.models import Enrolment
from courses.services import EnrolmentError, enrolment_create, role_in


def test_code_is_case_and_space_insensitive_and_enrolment_idempotent(make_user, course):
    user = make_user("dora")
    first = enrolment_create(user=user, code="  dlcode ")
    again = enrolment_create(user=user, code="DLCODE")
    assert first.pk == again.pk and first.role == Enrolment.Role.STUDENT
    assert role_in(user=user, course=course) == "student"


@pytest.mark.parametrize("code, message", [("", "Please type"), ("NOPE", "No course has")])
def test_bad_codes_are_refused_with_a_message(make_user, course, code, message):
    with pytest.raises(EnrolmentError, match=message):
        enrolment_create(user=make_user("eve"), code=code)


def test_closed_enrolment_is_refused_but_existing_members_keep_theirs(make_user, student, course):
    course.enrolment_open = False
    course.save()
    with pytest.raises(EnrolmentError, match="closed"):
        enrolment_create(user=make_user("late"), code="DLCODE")
    assert enrolment_create(user=student, code="DLCODE").user == student


def test_staff_role_is_kept_and_superuser_counts_as_instructor(make_user, instructor, course):
    assert enrolment_create(user=instructor, code="DLCODE").role == Enrolment.Role.INSTRUCTOR
    boss = make_user("root", is_superuser=True)
    assert role_in(user=boss, course=course) == Enrolment.Role.INSTRUCTOR
