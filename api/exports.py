"""Streaming CSV export of a course's results: constant memory for any number of rows.

Rows come from the database in chunks (``values_list(...).iterator(chunk_size=...)``, a
server-side cursor where the database has one) and go through a ``csv.writer`` into a
pseudo-buffer that keeps only the current chunk's text, so neither the queryset nor the file is
ever held whole. Each yielded piece is one chunk of rows, so the server writes a few thousand
rows per network write instead of one.
"""

import csv
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection
from django.db.models import F, Func, TextField
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse

from api.renderers import FORMULA_TRIGGERS, spreadsheet_safe

CHUNK_ROWS = 2000

# CSV column -> ORM path from Submission. The JSON rows (ResultSerializer) carry the same data.
RESULT_COLUMNS = {
    "id": "id",
    "student_id": "variant__student_id",
    "student_username": "variant__student__username",
    "lecture": "variant__question__quiz__lecture__number",
    "quiz": "variant__question__quiz_id",
    "question": "variant__question_id",
    "variant_seed": "variant__seed",
    "variant_number": "variant__number",
    "try_number": "try_number",
    "raw": "raw",
    "value": "value",
    "score": "score",
    "points": "points",
    "status": "status",
    "mistake": "mistake",
    "created_at": "created_at",
    "graded_at": "graded_at",
}
_USERNAME, _RAW, _MISTAKE = (
    list(RESULT_COLUMNS).index(name) for name in ("student_username", "raw", "mistake")
)
_TRIGGERS = frozenset(FORMULA_TRIGGERS)


class _UtcText(Func):
    """A SQLite timestamp as the text csv would write for it: ``YYYY-MM-DD HH:MM:SS[.ffffff]+00:00``.

    SQLite keeps timestamps as UTC text; Django would parse each into an aware datetime only for
    csv to format it back into this very text (``str(datetime)``), the largest per-row cost of an
    export. NULL stays NULL.
    """

    template = "(%(expressions)s || '+00:00')"
    output_field = TextField()


def csv_expressions() -> list:
    """``RESULT_COLUMNS`` as expressions that reach csv as text without a per-row conversion."""
    fast = {"value": Cast("value", TextField())}  # the stored JSON text, not decoded and re-encoded
    if connection.vendor == "sqlite":
        fast.update(created_at=_UtcText(F("created_at")), graded_at=_UtcText(F("graded_at")))
    return [fast.get(name, F(path)) for name, path in RESULT_COLUMNS.items()]


class PendingText:
    """A write-only file for ``csv.writer`` that holds only what was written since the last take()."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        text, self.parts = "".join(self.parts), []
        return text.encode()


def csv_chunks(header: list[str], rows: Iterable[tuple], *, chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The header, then ``rows`` as CSV, ``chunk_rows`` rows per yielded piece of UTF-8."""
    out = PendingText()
    writer = csv.writer(out)
    writer.writerow(header)
    yield out.take()
    rows = iter(rows)
    while batch := list(islice(rows, chunk_rows)):
        writer.writerows(batch)
        yield out.take()


def _safe_rows(rows: Iterable[tuple]) -> Iterator[tuple]:
    """Rows with the free-text cells (username, raw input, mistake) made safe for spreadsheets.

    Only rows that have such a cell starting with a formula character are rebuilt.
    """
    triggers = _TRIGGERS
    for row in rows:
        if row[_RAW][:1] in triggers or row[_USERNAME][:1] in triggers or row[_MISTAKE][:1] in triggers:
            row = list(row)
            for i in (_USERNAME, _RAW, _MISTAKE):
                row[i] = spreadsheet_safe(row[i])
        yield row


def results_rows(submissions, *, chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple]:
    """The rows of ``submissions`` in ``RESULT_COLUMNS`` order, oldest first, read in chunks."""
    rows = submissions.order_by("id").values_list(*csv_expressions()).iterator(chunk_size=chunk_rows)
    return _safe_rows(rows)


def results_csv_response(submissions, *, filename: str) -> StreamingHttpResponse:
    """A streaming CSV download of ``submissions`` (already filtered to what the user may read)."""
    response = StreamingHttpResponse(
        csv_chunks(list(RESULT_COLUMNS), results_rows(submissions)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
