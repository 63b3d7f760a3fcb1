"""Lists written out as CSV or Excel (.xlsx): what an officer takes to a spreadsheet or a ledger.

An export holds the rows the list's filters select, as its page shows them to the same user; the
columns are declared once per list (``Column``). CSV is UTF-8 with a byte-order mark, which Excel in
Japan needs to read kanji instead of guessing Shift_JIS. A cell that a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@`` first) is written with a leading apostrophe, so a description typed
by a caller can never become a formula on an officer's machine.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column: the field it shows, its heading and how to read its value from a row.

    ``personal`` columns (names, contacts, what a caller said) are written only for users allowed to
    see them, and their export leaves a read row in the audit trail naming *name*.
    """

    name: str
    header: Any
    value: Callable[[Any], Any]
    personal: bool = False


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: local time without zone, text safe from formulas, "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool | int | float | datetime.date):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def table(rows: Iterable[Any], columns: Sequence[Column]) -> Iterable[list[Any]]:
    """The heading row, then one row of cells per record."""
    yield [str(c.header) for c in columns]
    for row in rows:
        yield [cell(c.value(row)) for c in columns]


def csv_bytes(lines: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow([v.isoformat(sep=" ") if isinstance(v, datetime.datetime) else v for v in line])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(lines: Iterable[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "export")
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(rows: Iterable[Any], columns: Sequence[Column], fmt: str, name: str) -> HttpResponse:
    """A download of *rows* in *fmt* (``csv`` or ``xlsx``), named ``<name>.<fmt>``."""
    lines = table(rows, columns)
    body = csv_bytes(lines) if fmt == "csv" else xlsx_bytes(lines, name)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
