"""CSV and XLSX for every API list (``?format=csv``/``xlsx`` or the Accept header), safe to open in a
spreadsheet.

A row is one serialized object. A nested object one level down becomes columns named
``<field>_<key>`` (``student_id``, ``student_username``); anything deeper, and every list, is
written as JSON text. Cells a spreadsheet would run as a formula get a leading apostrophe.
"""

import csv
import io
import json
import re

from rest_framework.renderers import BaseRenderer

from api import xlsx

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d[\d.,\s]*|[.,]\d[\d\s]*)([eE][+-]?\d+)?")


def spreadsheet_safe(text: str) -> str:
    """``text``, with a leading apostrophe when a spreadsheet would read it as a formula.

    Student input such as ``=HYPERLINK(...)`` must not run when staff open an export (OWASP "CSV
    injection"). Signed numbers (``-0.5``, ``+1e-3``) are data, not formulas, and stay as they are.
    """
    if text.startswith(FORMULA_TRIGGERS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell(value) -> str | int | float:
    """One CSV cell: empty for None, lowercase booleans, JSON for lists and objects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return value


def flat_row(item: dict) -> dict:
    """``item`` with nested objects one level down spread into ``<field>_<key>`` columns."""
    row = {}
    for key, value in item.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                row[f"{key}_{inner}"] = cell(inner_value)
        else:
            row[key] = cell(value)
    return row


def table(data) -> tuple[list[str], list[list]]:
    """A list of objects (or one object) as a header and rows of cells (missing keys: "")."""
    items = data if isinstance(data, list) else [data]
    rows = [flat_row(item) for item in items]
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    return list(header), [[row.get(name, "") for name in header] for row in rows]


class CSVRenderer(BaseRenderer):
    """Renders a list of objects (or one object) as CSV with a header row."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        header, rows = table(data)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode(self.charset)


class XLSXRenderer(BaseRenderer):
    """Renders what ``CSVRenderer`` would as an Excel workbook of one sheet (the same header and cells)."""

    media_type = xlsx.CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        header, rows = table(data)
        return b"".join(xlsx.xlsx_chunks(header, rows))
