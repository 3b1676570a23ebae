"""Usernames (courses/usernames.py): skeletons and scripts, and registration refusing look-alikes
of taken names and mixed scripts while new names register."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from courses.usernames import mixed_scripts, normalize, scripts, skeleton

PASSWORD = "a-long-passphrase-9"


@pytest.mark.parametrize(
    "lookalike, original",
    [
        ("ѕtudent", "student"),  # Cyrillic ѕ
        ("Student", "student"),
        ("STUDENT", "student"),
        ("ｓｔｕｄｅｎｔ", "student"),  # full-width, NFKC
        ("сое", "coe"),  # all Cyrillic: one script, still a look-alike
        ("ΑΝΝΑ", "anna"),  # Greek capitals
        ("ΗΟΜΕ", "home"),  # Greek capital eta reads h
        ("rnary", "mary"),
        ("vvill", "will"),
        ("b0b", "bob"),
        ("paul1", "paull"),
        ("Ivan", "lvan"),  # capital I and small l
        ("ɡreta", "greta"),  # Latin script g
    ],
)
def test_lookalikes_share_a_skeleton(lookalike, original):
    assert skeleton(lookalike) == skeleton(original)


@pytest.mark.parametrize("one, other", [("student", "students"), ("5tudent", "student"), ("anna", "anne")])
def test_different_names_keep_different_skeletons(one, other):
    assert skeleton(one) != skeleton(other)


def test_scripts_of_a_name():
    assert scripts("ѕtudent") == {"CYRILLIC", "LATIN"} and mixed_scripts("ѕtudent")
    assert scripts("anna.b-2_x") == {"LATIN"} and not mixed_scripts("anna.b-2_x")
    assert scripts("田中たなか") == {"EAST ASIAN"} and not mixed_scripts("田中たなか")  # Han with Hiragana
    assert scripts("2024") == set()
    assert normalize("ｓｔｕｄｅｎｔ") == "student"


def register(client, username: str, email: str = "new@example.org"):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("register"), data)


@pytest.mark.django_db
class TestRegistration:
    @pytest.fixture(autouse=True)
    def taken(self, make_user):
        make_user("student", email="student@example.org")
        make_user("mary", email="mary@example.org")

    @pytest.mark.parametrize(
        "username, error",
        [
            ("Student", "A user with that username already exists."),  # Django's case-insensitive check
            ("ｓｔｕｄｅｎｔ", "A user with that username already exists."),  # NFKC first
            ("MARY", "A user with that username already exists."),
            ("rnary", "looks like one that is taken"),
            ("rnarY", "looks like one that is taken"),
            ("5tudent", None),  # controls: not look-alikes, so they register
            ("stuclent", None),
        ],
    )
    def test_only_lookalikes_of_taken_names_are_refused(self, client, username, error):
        response = register(client, username)
        if error is None:
            assert response.status_code == 302
            assert get_user_model().objects.filter(username=username).exists()
            return
        assert response.status_code == 200
        [message] = response.context["form"].errors["username"]
        assert error in message
        assert get_user_model().objects.count() == 2

    def test_a_cyrillic_letter_in_a_latin_name_is_refused(self, client):
        response = register(client, "ѕtudent")
        [error] = response.context["form"].errors["username"]
        assert error == "Use the letters of one alphabet only: this name mixes Cyrillic and Latin letters."
        assert get_user_model().objects.count() == 2

    def test_a_whole_cyrillic_lookalike_is_refused(self, client, make_user):
        make_user("coe", email="coe@example.org")
        response = register(client, "сое")
        [error] = response.context["form"].errors["username"]
        assert "looks like one that is taken" in error

    def test_full_width_letters_are_normalised(self, client):
        response = register(client, "ｊａｎｅ")
        assert response.status_code == 302
        assert get_user_model().objects.filter(username="jane").exists()

    def test_a_new_name_registers(self, client):
        response = register(client, "studentin")
        assert response.status_code == 302 and response.url == reverse("courses:list")
        user = get_user_model().objects.get(username="studentin")
        assert user.email == "new@example.org"
        assert client.get(reverse("courses:list")).context["user"] == user
