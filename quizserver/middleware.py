"""Project-wide request checks that belong to no app."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

MESSAGE = "Requests may not contain NUL characters."

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose body is larger than ``QUIZSERVER_MAX_REQUEST_BYTES``.

    Decided on the Content-Length header before anything reads the body, so a 20 MB upload costs
    nothing but its headers. Answers are a few bytes; Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    and ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` bound the form fields within this limit. A request
    without a valid Content-Length has no body for Django (it reads none), so it passes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.QUIZSERVER_MAX_REQUEST_BYTES
        if length > limit:
            message = f"The request is too large ({length} bytes; at most {limit} are accepted)."
            return refusal(request, message, status=413)
        return self.get_response(request)


def refusal(request, message: str, status: int) -> HttpResponse:
    """An error answered at the door: JSON under /api/ (as the API's schema says), else plain text."""
    if request.path.startswith("/api/"):
        return JsonResponse({"request": [message]}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RejectNulMiddleware:
    """Answer 400 to a request with a NUL character in its path, query or form fields.

    No form of ours sends one, and PostgreSQL text columns cannot store it (a query with one
    fails with a database error): refuse it at the door instead of as a 500 deep inside.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or self._in_get(request):
            return self._refuse(request)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists()):
                return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request):
        return refusal(request, MESSAGE, status=400)

    @staticmethod
    def _in_get(request) -> bool:
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


UNAVAILABLE = "The site is temporarily unavailable. Please try again in a minute; your earlier answers are safe."
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Answer a clean 503 (``templates/503.html``, JSON under /api/) when a view finds the database
    unreachable: ``OperationalError`` or ``InterfaceError`` (a restart, a failover, a full pool).

    Last in ``MIDDLEWARE``, so its ``process_exception`` sees the view's exception first. The
    broken connection is dropped at the end of the request (Django closes an unusable one after an
    error) and ``CONN_HEALTH_CHECKS`` checks persistent ones before use, so once the database is
    back the next request is served again without a restart. The page is rendered without the
    request's context: the context processors would ask the database for the user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.error("database unavailable, %s %s answered 503: %s: %s",
                  request.method, request.path, type(exception).__name__, exception)
        if request.path.startswith("/api/"):  # the API's error shape: {"detail": ...}
            response = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
