"""Database ids in paths (``<id:...>``, quizserver/converters.py): an id too long for a 64-bit
integer is a 404 on every page and API address that takes one, never an overflow (a 500)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from quizserver.converters import DatabaseIdConverter

HUGE = "9" * 20  # > 2**63: overflowed inside the query before the converter
LONGEST = "9" * 18  # the longest id the converter takes: fits a signed 64-bit integer
SENTINELS = (424242, 515151)  # stand-in ids, replaced in the reversed address

PAGES = [  # (URL name, method, the objects whose ids follow the course slug)
    ("quizzes:quiz", "get", ("quiz",)),
    ("quizzes:answer", "post", ("quiz", "question")),
    ("quizzes:reveal", "post", ("quiz", "question")),
    ("quizzes:new_variant", "post", ("quiz", "question")),
    ("progress:quiz_statistics", "get", ("quiz",)),
    ("progress:student_submissions", "get", ("student",)),
]
API_DETAILS = ["api:lecture-detail", "api:quiz-detail", "api:question-detail", "api:my-submission-detail"]


def address_with(name: str, ids: list[int], huge_at: int, huge: str = HUGE) -> str:
    """The page's address for course "dl" and ``ids``, the one at ``huge_at`` replaced by ``huge``."""
    address = reverse(name, args=["dl", *SENTINELS[: len(ids)]])
    for position, real in enumerate(ids):
        address = address.replace(str(SENTINELS[position]), huge if position == huge_at else str(real))
    return address


def test_the_converter_takes_1_to_18_digits():
    pattern = re.compile(rf"^{DatabaseIdConverter.regex}$")
    assert pattern.match("1") and pattern.match(LONGEST)
    assert int(LONGEST) < 2**63 - 1
    assert not pattern.match(HUGE) and not pattern.match("9" * 19) and not pattern.match("-1")
    assert not pattern.match("١٢")  # Arabic-Indic digits: int() would take them, the route does not
    assert DatabaseIdConverter().to_python("0042") == 42 and DatabaseIdConverter().to_url(42) == "42"


def test_no_project_route_takes_a_plain_int():
    def routes(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name != "admin":  # the admin's ids are its own (strings)
                    yield from routes(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    found = list(routes(get_resolver()))
    assert any("<id:quiz_id>" in route for route in found)
    assert [route for route in found if "<int:" in route] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, method, objects, huge_at",
    [(name, method, objects, at) for name, method, objects in PAGES for at in range(len(objects))],
)
def test_a_20_digit_id_in_a_page_address_is_a_404(
    client, instructor, student, quiz, single, name, method, objects, huge_at
):
    client.force_login(instructor)
    real = {"quiz": quiz.id, "question": single.id, "student": student.id}
    address = address_with(name, [real[o] for o in objects], huge_at)
    assert HUGE in address
    assert getattr(client, method)(address).status_code == 404
    assert getattr(client, method)(address_with(name, [real[o] for o in objects], huge_at=-1)).status_code in {
        200, 302}  # the same address with real ids works: the 404 is the id's


@pytest.mark.django_db
def test_the_longest_id_reaches_the_view(client, instructor, course):
    client.force_login(instructor)
    response = client.get(address_with("progress:student_submissions", [1], 0, huge=LONGEST))
    assert response.status_code == 404
    assert "Student not found" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_DETAILS)
def test_a_20_digit_id_in_an_api_address_is_a_json_404(client, instructor, name):
    client.force_login(instructor)
    response = client.get(reverse(name, args=[SENTINELS[0]]).replace(str(SENTINELS[0]), HUGE))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address, parameter",
    [
        ("/api/v1/questions/?quiz=", "quiz"),
        ("/api/v1/quizzes/?lecture=", "lecture"),
        ("/api/v1/me/submissions/?question=", "question"),
        ("/api/v1/courses/dl/results/?student=", "student"),
    ],
)
def test_a_20_digit_id_in_an_api_filter_is_a_400_naming_it(client, instructor, address, parameter):
    client.force_login(instructor)
    response = client.get(address + HUGE)
    assert response.status_code == 400
    assert parameter in response.json()
