"""OpenAPI pieces shared by the endpoints: error bodies, the format parameter, JSON, CSV or XLSX responses."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from api.xlsx import CONTENT_TYPE as XLSX


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


VALIDATION_ERROR = {
    "type": "object",
    "description": "Each invalid parameter (or `non_field_errors`) with its messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"created_after": ["Enter an ISO 8601 date or date-time, e.g. 2026-11-02T14:30:00Z."]},
}

ERRORS = {
    400: OpenApiResponse(VALIDATION_ERROR, description="A parameter is invalid: the body names it."),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not logged in (no session or token), or not allowed (a student of a course).",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such object among those you may read."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: wait the seconds in Retry-After."),
}

FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "xlsx"],
    description=(
        "Response format (instead of an Accept header): `json` (default), `csv`, or `xlsx` (an Excel workbook "
        "of one sheet with the CSV's header and cells)."
    ),
)


def read_schema(
    serializer, *, summary: str, description: str = "", parameters=(), errors=(400, 403, 404, 429)
):
    """``extend_schema`` for a read endpoint answering ``serializer`` as JSON, CSV or XLSX.

    A list action of a viewset gets the cursor page around the JSON rows; CSV and XLSX are every row.
    """
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[FORMAT, *parameters],
        responses={
            (200, "application/json"): serializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV with a header row."),
            (200, XLSX): OpenApiResponse(
                OpenApiTypes.BINARY, description="An Excel workbook: one sheet, the CSV's header and cells."
            ),
            **{(code, "application/json"): ERRORS[code] for code in errors},  # errors are JSON, always
        },
    )
