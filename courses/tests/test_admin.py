"""The enrolment admin (courses/admin.py): staff pick only people of their own courses, in the
form, in its search (the autocomplete endpoint) and in the user admin."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from courses.models import Course, Enrolment
from quizserver.tests.html_figures import extract

ADD = reverse("admin:courses_enrolment_add")
SEARCH = reverse("admin:autocomplete")


@pytest.fixture
def people(make_user, course, other_course, student, instructor):
    """alice studies the instructor's course (dl), mallory another course, loner none; the
    instructor also teaches a second course (st), where nobody is enrolled yet."""
    Enrolment.objects.create(user=make_user("mallory"), course=other_course)
    make_user("loner")
    second = Course.objects.create(slug="st", title="Statistics", enrolment_code="STCODE")
    Enrolment.objects.create(user=instructor, course=second, role=Enrolment.Role.INSTRUCTOR)
    return second


@pytest.fixture
def staff_client(client, instructor):
    """The instructor in the admin with the permissions of the courses app (as the demo instructor)."""
    instructor.user_permissions.set(Permission.objects.filter(content_type__app_label="courses"))
    client.force_login(instructor)
    return client


def user_options(page: str) -> list[str]:
    """The labels of the user menu's options (the menu must be there; it may be empty)."""
    menu = extract(r'(?s)<select name="user"[^>]*>(.*?)</select>', page)
    return [label for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', menu) if value]


def test_the_add_form_offers_only_people_of_the_instructors_courses(staff_client, people):
    page = staff_client.get(ADD).content.decode()
    assert user_options(page) == ["alice", "ingrid"]
    assert "Students join with the course's enrolment code" in page


def test_a_foreign_user_id_is_refused_with_a_form_error(staff_client, people, django_user_model):
    mallory = django_user_model.objects.get(username="mallory")
    response = staff_client.post(ADD, {"user": mallory.id, "course": people.id, "role": "ta",
                                       "leaderboard_entry-TOTAL_FORMS": 0, "leaderboard_entry-INITIAL_FORMS": 0})
    page = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in page
    assert not Enrolment.objects.filter(user=mallory, course=people).exists()


def test_a_student_of_one_course_can_be_made_a_ta_in_another(staff_client, people, student):
    response = staff_client.post(ADD, {"user": student.id, "course": people.id, "role": "ta",
                                       "leaderboard_entry-TOTAL_FORMS": 0, "leaderboard_entry-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Enrolment.objects.get(user=student, course=people).role == "ta"


def search(client, term: str):
    return client.get(SEARCH, {"app_label": "courses", "model_name": "enrolment", "field_name": "user",
                               "term": term})


def test_the_search_finds_only_people_of_the_instructors_courses(staff_client, instructor, people):
    instructor.user_permissions.add(Permission.objects.get(codename="view_user"))
    page = staff_client.get(ADD).content.decode()
    assert 'data-ajax--url="/admin/autocomplete/"' in page and user_options(page) == []  # searched, not listed
    found = {term: [r["text"] for r in json.loads(search(staff_client, term).content)["results"]]
             for term in ("", "a", "mal", "loner")}
    assert found == {"": ["alice", "ingrid"], "a": ["alice"], "mal": [], "loner": []}
    users = staff_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "alice" in users and "mallory" not in users and "loner" not in users


def test_without_the_permission_to_view_users_the_search_lists_nobody(staff_client, people):
    assert search(staff_client, "").status_code == 403


def test_a_superuser_finds_everyone(client, make_user, people):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    found = [r["text"] for r in json.loads(search(client, "").content)["results"]]
    assert {"alice", "mallory", "loner", "ingrid", "root"} <= set(found)
