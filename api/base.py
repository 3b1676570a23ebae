"""What every API view shares: JSON, CSV or XLSX, cursor pages, throttles, errors always as JSON.

Formats: ``?format=json|csv|xlsx`` or the ``Accept`` header. A JSON list is a cursor page; a CSV or
XLSX list is the whole filtered list in one file. An unknown ``format`` is a 400 naming the
parameter (DRF alone answers 404), and an error is JSON even when a file was asked for.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from api.filters import FilterBackend
from api.renderers import CSVRenderer, XLSXRenderer


class ExportRateThrottle(UserRateThrottle):
    """A stricter rate for CSV and XLSX downloads (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["export"]``)."""

    scope = "export"


class IdCursorPagination(CursorPagination):
    """Cursor pages in id order; ``page_size`` up to 1000; a malformed cursor is a 400."""

    ordering = ("id",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def invalid_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError({self.cursor_query_param: ["Invalid cursor."]})

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise self.invalid_cursor() from None

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, OverflowError):  # a well-formed cursor with a bad position
            raise self.invalid_cursor() from None


class LatestFirstCursorPagination(IdCursorPagination):
    """Submissions, newest first (ties by id)."""

    ordering = ("-created_at", "-id")


FILE_FORMATS = ("csv", "xlsx")


def wants_file(request) -> bool:
    """Whether ``request`` asked for a whole list as one file (CSV or XLSX) rather than JSON pages."""
    return file_format(request) is not None


def file_format(request) -> str | None:
    """"csv" or "xlsx" when ``request`` asked for a file, else None."""
    renderer = getattr(request, "accepted_renderer", None)
    return renderer.format if renderer is not None and renderer.format in FILE_FORMATS else None


class ApiViewMixin:
    """Renderers, filters, throttles and error handling of every endpoint."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]
    lookup_value_regex = "[^/]+"  # any id or slug reaches the view, which answers a JSON 404
    filter_backends = [FilterBackend]

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # DRF's answer to an unknown ?format=
            raise exceptions.ValidationError(
                {
                    "format": [
                        f"Unknown format; use one of: {', '.join(r.format for r in self.renderer_classes)}."
                    ]
                }
            ) from None

    def get_throttles(self):
        throttles = super().get_throttles()
        return [*throttles, ExportRateThrottle()] if wants_file(self.request) else throttles

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400 and wants_file(request):
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        return response


class ListViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """A list: cursor pages of JSON, or every row as CSV. ``get_queryset`` is the user's."""

    pagination_class = IdCursorPagination

    def serialize(self, objects, many: bool = True):
        return self.get_serializer(objects, many=many).data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if wants_file(request):
            return Response(self.serialize(queryset))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.serialize(page))


class ReadOnlyViewSet(ListViewSet):
    """A list and its details; an object outside ``get_queryset`` is a 404."""

    def retrieve(self, request, *args, **kwargs):
        return Response(self.serialize(self.get_object(), many=False))


class ApiView(ApiViewMixin, APIView):
    """An endpoint that is not a model list (progress, statistics)."""

    filter_backends = []
