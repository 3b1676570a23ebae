"""Password reset by e-mail (courses/password_reset.py, Django's views): the whole flow through the
mail outbox, no account enumeration, limits per e-mail and per address, the mail settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"https?://testserver(/accounts/password-reset/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "a-new-long-passphrase-42"

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="alice@example.org")


def request_reset(client, email: str, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_the_login_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page and "Forgot your password?" in page


def test_reset_by_mail_then_log_in_with_the_new_password(client, alice):
    response = request_reset(client, "Alice@Example.org")  # any case finds the account
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "Check your e-mail" in client.get(response.url).content.decode()

    [message] = mail.outbox
    assert message.to == ["alice@example.org"] and message.subject == "Your quizserver password"
    match = LINK.search(message.body)
    assert match, message.body
    link = match.group(1)
    assert "alice" in message.body and "one hour" in message.body

    form_page = client.get(link, follow=True)  # Django moves the token into the session first
    assert form_page.status_code == 200 and "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert "Your new password is set" in client.get(done.url).content.decode()

    assert client.login(username="alice", password=NEW_PASSWORD)
    client.logout()
    assert not client.login(username="alice", password="pw-alice")
    used = client.get(link, follow=True).content.decode()
    assert "This link does not work any more" in used  # a link works once


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, alice):
    known = request_reset(client, "alice@example.org")
    unknown = request_reset(client, "nobody@example.org")
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url) == (302, reverse("password_reset_done"))
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_requests_for_one_address_are_limited(client, alice):
    with override_settings(PASSWORD_RESET_EMAIL_LIMIT=3):
        statuses = [request_reset(client, "alice@example.org").status_code for _ in range(4)]
        refused = request_reset(client, "ALICE@example.org")
        unknown = [request_reset(client, "nobody@example.org").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429] and refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert len(mail.outbox) == 3
    assert unknown == [302, 302, 302, 429]  # unknown addresses count alike: the limit tells nothing


def test_requests_from_one_client_address_are_limited(client, alice):
    with override_settings(PASSWORD_RESET_ADDRESS_LIMIT=2):
        statuses = [request_reset(client, f"user{i}@example.org").status_code for i in range(3)]
        elsewhere = request_reset(client, "alice@example.org", REMOTE_ADDR="10.0.0.9")
    assert statuses == [302, 302, 429]
    assert elsewhere.status_code == 302 and len(mail.outbox) == 1


def mail_settings(**env: str) -> list[str]:
    unset = {"DJANGO_DEBUG", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.EMAIL_HOST or '-', s.EMAIL_PORT, s.EMAIL_USE_TLS, "
        "s.DEFAULT_FROM_EMAIL.replace(' ', '_'))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_mail_goes_to_the_console_locally_and_to_smtp_in_production():
    assert mail_settings(DJANGO_DEBUG="0")[:2] == ["console", "-"]
    assert mail_settings(DJANGO_DEBUG="1", EMAIL_HOST="mail.example.org")[0] == "console"
    assert mail_settings(
        DJANGO_DEBUG="0",
        EMAIL_HOST="mail.example.org",
        EMAIL_PORT="465",
        EMAIL_USE_TLS="0",
        DEFAULT_FROM_EMAIL="quiz@example.org",
    ) == ["smtp", "mail.example.org", "465", "False", "quiz@example.org"]
