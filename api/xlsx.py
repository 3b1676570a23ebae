"""A minimal streaming XLSX (Office Open XML spreadsheet) writer: one sheet, in constant memory.

An .xlsx file is a ZIP of a few XML parts: ``[Content_Types].xml``, ``_rels/.rels``,
``xl/workbook.xml``, ``xl/_rels/workbook.xml.rels``, ``xl/styles.xml`` and the sheet,
``xl/worksheets/sheet1.xml``. Text is written as inline strings (``<c t="inlineStr">``), so no
shared-strings table (which would have to be held whole) is needed; numbers as numbers. The header
row is bold and frozen.

``zipfile`` writes to a file it cannot seek (it then puts each part's sizes in a data descriptor
after the part), so the archive goes into ``PendingBytes``, which keeps only what was written since
the last ``take()``: ``xlsx_chunks`` yields that after every chunk of rows. Memory holds one chunk
of rows and the deflater's window, whatever the number of rows.

Cells hold what a CSV cell would: ``None`` and "" are left out, ``int``/``float`` (finite, not bool)
are numbers written as Python writes them, anything else is ``str(value)`` with the characters
XML 1.0 forbids dropped and cut at Excel's 32,767 characters.
"""

import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from itertools import islice
from xml.sax.saxutils import escape

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_ROWS = 2000
MAX_CELL = 32767  # characters: Excel's limit for one cell
SHEET = "xl/worksheets/sheet1.xml"
# Characters XML 1.0 does not allow, even escaped: C0 controls except tab, LF and CR, surrogates,
# U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

STATIC_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (  # style 0: plain; style 1: bold (the header row)
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        "</styleSheet>"
    ),
}
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews>'
    "<sheetData>"
)
SHEET_TAIL = "</sheetData></worksheet>"


def workbook_xml(sheet_name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{xml_text(sheet_name[:31])}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def xml_text(value: str) -> str:
    """``value`` escaped for XML text and attributes, without the characters XML 1.0 forbids."""
    return escape(FORBIDDEN.sub("", value), {'"': "&quot;"})


def column_name(index: int) -> str:
    """The spreadsheet column of a 0-based ``index``: A, B, ..., Z, AA, AB, ..."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def cell_xml(ref: str, value, style: str = "") -> str:
    """One ``<c>`` element; "" for an empty cell (None or "")."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    text = xml_text(FORBIDDEN.sub("", str(value))[:MAX_CELL])
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def row_xml(number: int, values: Iterable, columns: list[str], style: str = "") -> str:
    """Row ``number`` (from 1) of ``values``; ``columns`` holds their column names (A, B, ...)."""
    cells = "".join(cell_xml(f"{column}{number}", value, style) for column, value in zip(columns, values, strict=True))
    return f'<row r="{number}">{cells}</row>'


class PendingBytes:
    """A write-only, unseekable file that holds only what was written since the last ``take()``."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def xlsx_chunks(
    header: Iterable[str], rows: Iterable[tuple], *, chunk_rows: int = CHUNK_ROWS, sheet_name: str = "Results"
) -> Iterator[bytes]:
    """An .xlsx file of one sheet (``header`` in bold, frozen; then ``rows``), in pieces: one per
    ``chunk_rows`` rows, plus the parts before and after them."""
    header = list(header)
    columns = [column_name(i) for i in range(len(header))]
    out = PendingBytes()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**STATIC_PARTS, "xl/workbook.xml": workbook_xml(sheet_name)}.items():
            archive.writestr(name, text)
        # Sizes are not known ahead: allow Zip64 so that a sheet over 2 GiB is still a valid file.
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write((SHEET_HEAD + row_xml(1, header, columns, ' s="1"')).encode())
            yield out.take()
            rows, number = iter(rows), 1
            while batch := list(islice(rows, chunk_rows)):
                parts = []
                for values in batch:
                    number += 1
                    parts.append(row_xml(number, values, columns))
                sheet.write("".join(parts).encode())
                yield out.take()
            sheet.write(SHEET_TAIL.encode())
    yield out.take()
