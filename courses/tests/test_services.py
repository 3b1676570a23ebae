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


def test_wrong_codes_are_limited_per_user_whatever_the_address(make_user, course, settings):
    settings.ENROL_FAILURE_LIMIT, settings.ENROL_ADDRESS_FAILURE_LIMIT = 3, 100
    guesser = make_user("guesser")
    statuses = []
    for n in range(5):
        with pytest.raises(EnrolmentError) as refused:
            enrolment_create(user=guesser, code=f"GUESS{n}", address=f"198.51.100.{n}")
        statuses.append(refused.value.status)
    assert statuses == [400, 400, 400, 429, 429]
    with pytest.raises(EnrolmentError, match="Too many wrong enrolment codes") as refused:
        enrolment_create(user=guesser, code="DLCODE", address="198.51.100.99")  # even the right code
    assert refused.value.status == 429 and not Enrolment.objects.filter(user=guesser).exists()
    assert enrolment_create(user=make_user("honest"), code="DLCODE", address="198.51.100.1").course == course


def test_only_unknown_codes_count(make_user, course, settings):
    settings.ENROL_FAILURE_LIMIT = 2
    course.enrolment_open = False
    course.save()
    user = make_user("late")
    for code in ("", "DLCODE", "", "DLCODE"):  # empty or closed: a mistake, not a guess
        with pytest.raises(EnrolmentError) as refused:
            enrolment_create(user=user, code=code)
        assert refused.value.status == 400
