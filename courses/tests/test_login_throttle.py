"""Login rate limiting: per address and username, per address (spraying), shared by every worker."""

from django.core.cache import cache
from django.urls import reverse


def test_login_is_rate_limited_after_repeated_failures(client, student, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        assert client.post(url, {"username": "alice", "password": "wrong"}).status_code == 200
    blocked = client.post(url, {"username": "alice", "password": "pw-alice"})
    assert blocked.status_code == 429 and "Too many failed logins" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    other = client.post(url, {"username": "someone-else", "password": "x"})
    assert other.status_code == 200  # other usernames are not blocked


def test_behind_a_proxy_the_forwarded_address_is_used(client, student, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url = reverse("login")
    for _ in range(2):
        client.post(url, {"username": "alice", "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    blocked = client.post(url, {"username": "alice", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = client.post(url, {"username": "alice", "password": "pw-alice"}, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert blocked.status_code == 429 and other.status_code == 302  # the owner elsewhere is not locked out


def test_spraying_many_usernames_from_one_address_is_throttled(client, student, settings):
    settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5, 10
    url = reverse("login")
    codes = [client.post(url, {"username": f"user{n}", "password": "Winter2026!"}, REMOTE_ADDR="203.0.113.9")
             .status_code for n in range(30)]
    assert codes == [200] * 10 + [429] * 20
    refused = client.post(url, {"username": "alice", "password": "pw-alice"}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429 and "Too many failed logins from your network" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    honest = client.post(url, {"username": "alice", "password": "pw-alice"}, REMOTE_ADDR="198.51.100.7")
    assert honest.status_code == 302  # someone else's failures elsewhere block no one here


def test_failures_are_counted_whatever_worker_and_cache_serve_the_request(client, student, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "alice", "password": "wrong"})
        cache.clear()  # the next request goes to another worker, whose in-process cache is empty
    assert client.post(url, {"username": "alice", "password": "pw-alice"}).status_code == 429


WORKER = """
import django
django.setup()
from django.test import Client
client = Client()
print([client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code
       for _ in range(3)])
"""


def test_two_worker_processes_share_the_count(shared_site):
    """Two processes, each with its own in-process cache (no CACHE_URL), on one SQLite file: the
    second sees the first one's failures (before, each counted alone: 30 wrong passwords with two
    workers got 10 checked). LOGIN_FAILURE_LIMIT is 5 there."""
    first, second = shared_site("-c", WORKER), shared_site("-c", WORKER)
    assert (first, second) == ("[200, 200, 200]", "[200, 200, 429]")
