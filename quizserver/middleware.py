"""Project-wide request checks that belong to no app."""

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "Requests may not contain NUL characters."

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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
        if request.path.startswith("/api/"):  # the API answers errors in JSON, as its schema says
            return JsonResponse({"request": [MESSAGE]}, status=400)
        return HttpResponseBadRequest(MESSAGE)

    @staticmethod
    def _in_get(request) -> bool:
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
