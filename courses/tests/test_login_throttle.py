"""Login rate limiting."""

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
