"""The enrol view (courses/views.py): wrong codes answered 429 after the limits."""

from django.core.cache import cache
from django.urls import reverse

from courses.models import Enrolment


def test_wrong_codes_from_one_address_get_429_and_others_elsewhere_still_enrol(client, make_user, course, settings):
    settings.ENROL_FAILURE_LIMIT, settings.ENROL_ADDRESS_FAILURE_LIMIT = 100, 4
    url = reverse("courses:enrol")
    statuses = []
    for n in range(6):  # six accounts of one guesser, one address
        client.force_login(make_user(f"guesser{n}"))
        statuses.append(client.post(url, {"code": f"WRONG{n}"}, REMOTE_ADDR="203.0.113.9").status_code)
        cache.clear()  # another worker, with an empty in-process cache, answers the next request
    assert statuses == [400] * 4 + [429] * 2
    client.force_login(make_user("neighbour"))
    refused = client.post(url, {"code": "DLCODE"}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429 and "Too many wrong enrolment codes" in refused.content.decode()
    honest = make_user("honest")
    client.force_login(honest)
    enrolled = client.post(url, {"code": "DLCODE"}, REMOTE_ADDR="198.51.100.7")
    assert enrolled.status_code == 302 and Enrolment.objects.filter(user=honest, course=course).exists()


def test_a_wrong_code_is_answered_400_with_its_message(client, make_user, course):
    client.force_login(make_user("dora"))
    response = client.post(reverse("courses:enrol"), {"code": "NOPE"})
    assert response.status_code == 400 and "No course has the enrolment code “NOPE”" in response.content.decode()
