"""Deployment checks: the site never serves production traffic on the development SECRET_KEY.

The development key (``settings.DEVELOPMENT_SECRET_KEY``) is public, and ``SECRET_KEY`` signs
sessions, password-reset links and CSRF tokens and seeds every student's variants: anyone who
knows it could forge them. One rule, two doors:

- ``manage.py check --deploy`` reports it as an error (``quizserver.E001``), whatever DEBUG says,
  so a deployment script or ``make prod-check`` stops;
- the WSGI and ASGI entry points call ``refuse_development_key()`` and do not start with DEBUG off.

Importing the settings never fails on the key: the test suite and management commands run with
DEBUG off and the development key.
"""

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured

MESSAGE = (
    "SECRET_KEY is the public development key. Set the SECRET_KEY environment variable to a long "
    "random value, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
)


def uses_development_key() -> bool:
    return settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY


def development_key_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    """The system check (registered with the deploy tag in ``quizserver.apps``)."""
    if uses_development_key():
        return [Error(MESSAGE, hint="See docs/deployment.md.", id="quizserver.E001")]
    return []


def refuse_development_key() -> None:
    """Raise ``ImproperlyConfigured`` when DEBUG is off and SECRET_KEY is the development key.

    Called by ``quizserver.wsgi`` and ``quizserver.asgi`` before they build the application.
    """
    if not settings.DEBUG and uses_development_key():
        raise ImproperlyConfigured(f"Refusing to start with DEBUG off: {MESSAGE}")
