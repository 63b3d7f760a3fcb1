"""Reading historical incident files row by row: the police open-data layout and a generic layout.

Each reader turns a CSV row into an ``ImportRow`` or an ``ImportIssue`` of the one import core
(``koban.geography.importers.core``) naming the line and the column; the loader
(``koban.incidents.importers.loader``) writes the good rows. Readers never touch the database:
category codes and priorities come in as a dict.

Formats
-------
``hokkaido`` / ``chiba`` (the National Police Agency's standard crime open-data layout, which every
prefectural police uses): ``罪名, 手口, 管轄警察署（発生地）, 管轄交番・駐在所（発生地）, 都道府県（発生地）,
市区町村（発生地）, 町丁目（発生地）, 発生年月日（始期）, 発生時（始期）`` and optional coordinates
(``longitude``/``latitude`` as added to the Hokkaido file, ``lon``/``lat`` as added to the Chiba one).
Files without coordinates are imported with the address only.

``generic``: ``received_at`` (ISO 8601; local time when no offset is given), ``category`` (a category
code), optional ``lon``, ``lat``, ``address``, ``priority`` (1–4), ``description``, ``source_ref``,
``dispatched_at``, ``arrived_at``, ``cleared_at``.
"""

from __future__ import annotations

import abc
import csv
import datetime
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from koban.geography.importers.core import ERROR, ImportIssue
from koban.lib.dates import date_window_problem, plausible_instants
from koban.lib.geo import lonlat_problem
from koban.lib.validation import CONTROL_MESSAGE, control_character_index

FORMATS = ("hokkaido", "chiba", "generic")
#: The formats of the police open-data layout (places by 町丁目, fingerprints, 管轄交番 labels).
NPA_FORMATS = ("hokkaido", "chiba")

#: 手口 (modus) of the police open data → incident category code.
MODUS_CATEGORIES = {
    "自転車盗": "bicycle_theft",
    "オートバイ盗": "vehicle_theft",
    "自動車盗": "vehicle_theft",
    "車上ねらい": "theft_from_vehicle",
    "部品ねらい": "theft_from_vehicle",
    "ひったくり": "snatching",
    "自動販売機ねらい": "theft",
    "万引き": "theft",
    "置引き": "theft",
    "すり": "theft",
    "空き巣": "burglary",
    "忍込み": "burglary",
    "居空き": "burglary",
    "出店荒し": "burglary",
    "事務所荒し": "burglary",
    "金庫破り": "burglary",
}
#: 罪名 (offence) → category code, when the modus says nothing more precise.
OFFENCE_CATEGORIES = {
    "窃盗": "theft",
    "暴行": "assault",
    "傷害": "assault",
    "詐欺": "fraud",
}

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class ImportFormatError(ValueError):
    """The file as a whole cannot be read in the chosen format (missing columns, wrong encoding)."""


def bad_row(line: int, field: str, message: str) -> ImportIssue:
    """A row refused: its line in the file, the column at fault and why (the import core's issue)."""
    return ImportIssue(line, field, message, ERROR, "line")


@dataclass(frozen=True)
class DateUnknownRow:
    """A row whose date the source gives as unknown (不明): reported and left out, not a bad row.

    An incident needs a time to be counted in any period; inventing one would put it in the wrong
    month (see docs/decisions/0017-police-open-data-placement.md).
    """

    line: int
    municipality_code: str


@dataclass(slots=True)
class ImportRow:
    """One valid historical incident, ready to be written."""

    line: int
    received_at: datetime.datetime
    time_approximate: bool
    category_code: str
    priority: int | None
    lon: float | None
    lat: float | None
    address: str
    description: str
    source_ref: str
    source_box_label: str = ""
    dispatched_at: datetime.datetime | None = None
    arrived_at: datetime.datetime | None = None
    cleared_at: datetime.datetime | None = None
    # Where a row without coordinates happened, by name: the municipality code and the 町丁目.
    municipality_code: str = ""
    area_name: str = ""
    # A digest of the row's source fields and its repeat number among identical rows (see NpaReader).
    fingerprint: str = ""
    # "area" when the point is the representative point of the row's town (set by the loader).
    location_source: str = ""


def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    """``utf-8`` (with or without BOM) or ``cp932`` (Shift_JIS as Windows writes it), by trial decoding."""
    with path.open("rb") as handle:
        sample = handle.read(sample_bytes)
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    # A multi-byte character cut by the sample's end is not a reason to give up on UTF-8.
    for cut in range(4):
        try:
            sample[: len(sample) - cut].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            continue
    try:
        sample.decode("cp932")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(_("The file is neither UTF-8 nor Shift_JIS.")) from exc
    return "cp932"


def _point(lon_raw: str, lat_raw: str, columns: tuple[str, str]) -> tuple[float | None, float | None]:
    """The coordinates (both None when both are blank); raises _RowError naming the column at fault."""
    lon_raw, lat_raw = lon_raw.strip(), lat_raw.strip()
    if not lon_raw and not lat_raw:
        return None, None
    if not lon_raw or not lat_raw:
        raise _RowError(
            columns[0] if not lon_raw else columns[1], _("Give both longitude and latitude, or neither.")
        )
    problem = lonlat_problem(lon_raw, lat_raw)
    if problem is not None:
        raise _RowError(columns[0] if problem[0] == "lon" else columns[1], problem[1])
    return float(lon_raw), float(lat_raw)


class _Reader(abc.ABC):
    """Shared machinery: header lookup, line numbers, the time zone and the clock."""

    required: tuple[str, ...] = ()

    def __init__(self, handle: IO[str], tz: ZoneInfo, now: datetime.datetime, categories: dict[str, int]):
        self.reader = csv.reader(handle)
        self.tz = tz
        self.now = now
        self.categories = categories
        try:
            header = next(self.reader)
        except StopIteration as exc:
            raise ImportFormatError(_("The file is empty.")) from exc
        self.header = [name.strip().lstrip("\ufeff") for name in header]
        self.columns = {name: i for i, name in enumerate(self.header)}
        missing = [c for c in self.required if c not in self.columns]
        if missing:
            raise ImportFormatError(
                _("Line 1: missing column(s): %(columns)s") % {"columns": ", ".join(missing)}
            )
        self.width = len(header)
        # The plausible instants ([first, end)): checked by comparison, the message built only when out.
        self.window = plausible_instants(now)
        # Columns some row was read from; the rest are reported as ignored (see unused_columns).
        self.used: set[str] = set()

    def rows(self) -> Iterator[ImportRow | ImportIssue | DateUnknownRow]:
        for values in self.reader:
            line = self.reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) < self.width:
                values = values + [""] * (self.width - len(values))
            refused = self.control_characters(line, values)
            if refused:
                yield refused
                continue
            try:
                yield self.parse(line, values)
            except _RowError as exc:
                yield bad_row(line, exc.field, exc.message)
            except _DateUnknownError as exc:
                yield DateUnknownRow(line, exc.args[0])

    def control_characters(self, line: int, values: list[str]) -> ImportIssue | None:
        """The bad row for a value holding a control character (NUL cannot even be stored), or None."""
        index = control_character_index(values)
        if index is None:
            return None
        column = self.header[index] if index < len(self.header) else str(index + 1)
        return bad_row(line, column, str(CONTROL_MESSAGE))

    def get(self, values: list[str], name: str) -> str:
        self.used.add(name)
        index = self.columns.get(name)
        return values[index].strip() if index is not None else ""

    def check_window(self, moment: datetime.datetime, column: str) -> None:
        """Refuse a time outside the plausible window (``koban.lib.dates``), naming the column."""
        first, end = self.window
        if not first <= moment < end:
            problem = date_window_problem(moment, self.now)
            if problem:
                raise _RowError(column, problem)

    def unused_columns(self) -> list[str]:
        """Header names no row was read from: extra or misspelt columns the import ignores."""
        return [name for name in self.columns if name not in self.used and name]

    @abc.abstractmethod
    def parse(self, line: int, values: list[str]) -> ImportRow:
        """Turn one data row (*line* is its line number in the file) into an ImportRow, or raise _RowError."""


class _RowError(ValueError):
    """A row is refused: *field* is the column at fault, *message* says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _DateUnknownError(Exception):
    pass


#: The columns of the NPA layout that identify a row; extra columns (a geocoder's 住所, lat, lon, a
#: pandas index) are left out, so a copy with added columns has the same fingerprints.
NPA_FINGERPRINT_COLUMNS = (
    "罪名",
    "手口",
    "管轄警察署（発生地）",
    "管轄交番・駐在所（発生地）",
    "市区町村コード（発生地）",
    "都道府県（発生地）",
    "市区町村（発生地）",
    "町丁目（発生地）",
    "発生年月日（始期）",
    "発生時（始期）",
    "発生場所",
    "発生場所の詳細",
    "被害者の年齢",
    "被害者の職業",
    "施錠関係",
    "現金被害の有無",
)
UNKNOWN_VALUES = ("不明", "")


class NpaReader(_Reader):
    """The NPA standard crime open-data layout (Hokkaido, Chiba, Tokyo … police)."""

    DATE = "発生年月日（始期）"
    HOUR = "発生時（始期）"
    MUNICIPALITY = "市区町村コード（発生地）"
    required = ("手口", DATE, HOUR)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # How many times each identical row was seen so far: the n-th repeat is a distinct incident
        # (two bicycles taken from one car park in one hour), and has its own fingerprint.
        self.repeats: dict[str, int] = {}
        if "longitude" in self.columns and "latitude" in self.columns:
            self.lon_col, self.lat_col = "longitude", "latitude"
        else:
            self.lon_col, self.lat_col = "lon", "lat"
        self.ref_col = "Number" if "Number" in self.columns else ("" if "" in self.columns else None)

    def _received_at(self, line: int, values: list[str]) -> tuple[datetime.datetime, bool]:
        raw_date = self.get(values, self.DATE).translate(_FULLWIDTH_DIGITS)
        if raw_date == "不明":
            raise _DateUnknownError(self.get(values, self.MUNICIPALITY).translate(_FULLWIDTH_DIGITS))
        for pattern in _DATE_PATTERNS:
            match = pattern.match(raw_date)
            if match:
                break
        else:
            raise _RowError(
                self.DATE, _("date %(value)r is unknown or not a date") % {"value": raw_date or _("(blank)")}
            )
        raw_hour = self.get(values, self.HOUR).translate(_FULLWIDTH_DIGITS)
        approximate = raw_hour in ("", "不明")
        if approximate:
            hour = 0
        elif raw_hour.isdigit() and 0 <= int(raw_hour) <= 23:
            hour = int(raw_hour)
        else:
            raise _RowError(self.HOUR, _("hour %(value)r is not 0–23") % {"value": raw_hour})
        try:
            year, month, day = (int(g) for g in match.groups())
            at = datetime.datetime(year, month, day, hour, tzinfo=self.tz)
        except ValueError as exc:
            raise _RowError(self.DATE, _("%(value)r is not a real date") % {"value": raw_date}) from exc
        if at > self.now:
            raise _RowError(self.DATE, _("%(value)r is in the future") % {"value": raw_date})
        self.check_window(at, self.DATE)
        return at, approximate

    def parse(self, line: int, values: list[str]) -> ImportRow:
        received_at, approximate = self._received_at(line, values)
        point = _point(
            self.get(values, self.lon_col), self.get(values, self.lat_col), (self.lon_col, self.lat_col)
        )
        offence, modus = self.get(values, "罪名"), self.get(values, "手口")
        code = MODUS_CATEGORIES.get(modus) or OFFENCE_CATEGORIES.get(offence) or "other"
        if code not in self.categories:
            code = "other"
        address = "".join(
            self.get(values, c) for c in ("都道府県（発生地）", "市区町村（発生地）", "町丁目（発生地）")
        )
        place = self.get(values, "発生場所の属性") or self.get(values, "発生場所")
        detail = self.get(values, "発生場所の詳細")
        description = " / ".join(part for part in (offence, modus, place, detail) if part)
        station, box = (
            self.get(values, "管轄警察署（発生地）"),
            self.get(values, "管轄交番・駐在所（発生地）"),
        )
        ref = self.get(values, self.ref_col) if self.ref_col is not None else ""
        town = self.get(values, "町丁目（発生地）")
        return ImportRow(
            line=line,
            received_at=received_at,
            time_approximate=approximate,
            category_code=code,
            priority=None,
            lon=point[0],
            lat=point[1],
            address=address[:300],
            description=description,
            source_ref=(ref or f"line {line}")[:100],
            source_box_label=" ".join(part for part in (station, box) if part)[:200],
            municipality_code=self.get(values, self.MUNICIPALITY).translate(_FULLWIDTH_DIGITS),
            area_name=town,
            fingerprint=self.fingerprint(values),
        )

    def fingerprint(self, values: list[str]) -> str:
        """The row's digest over the standard NPA columns, with its repeat number in this file."""
        fields = []
        for name in NPA_FINGERPRINT_COLUMNS:
            index = self.columns.get(name)
            fields.append(values[index].strip() if index is not None else "")
            if index is not None:
                self.used.add(name)
        base = "\x1f".join(fields)
        seen = self.repeats.get(base, 0) + 1
        self.repeats[base] = seen
        return hashlib.sha256(f"npa\x1e{base}\x1e{seen}".encode()).hexdigest()


class GenericReader(_Reader):
    """One incident per row with ISO 8601 times and Koban's own category codes.

    This is the layout for million-row loads, so the row check is written for speed: columns are
    looked up once, and the common row (no response times) takes the short path.
    """

    required = ("received_at", "category")
    OPTIONAL = (
        "lon",
        "lat",
        "address",
        "priority",
        "description",
        "source_ref",
        "dispatched_at",
        "arrived_at",
        "cleared_at",
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Column positions; a missing optional column reads as the empty last cell.
        self.width += 1
        blank = self.width - 1
        self.at = {name: self.columns.get(name, blank) for name in (*self.required, *self.OPTIONAL)}

    def unused_columns(self) -> list[str]:
        # Columns are looked up once by name here (not through get()): the known names are fixed.
        known = {*self.required, *self.OPTIONAL}
        return [name for name in self.columns if name and name not in known]

    def rows(self) -> Iterator[ImportRow | ImportIssue]:
        pad = [""] * self.width
        width = self.width
        for values in self.reader:
            line = self.reader.line_num
            if len(values) < width:
                values = values + pad[: width - len(values)]
            refused = self.control_characters(line, values)
            if refused:
                yield refused
                continue
            try:
                yield self.parse(line, values)
            except _RowError as exc:
                if any(v.strip() for v in values):
                    yield bad_row(line, exc.field, exc.message)

    def _time(self, raw: str, name: str) -> datetime.datetime:
        try:
            value = datetime.datetime.fromisoformat(raw)
        except ValueError as exc:
            raise _RowError(name, _("%(value)r is not an ISO 8601 time") % {"value": raw}) from exc
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        if value > self.now:
            raise _RowError(name, _("%(value)r is in the future") % {"value": raw})
        self.check_window(value, name)
        return value

    def parse(self, line: int, values: list[str]) -> ImportRow:
        at = self.at
        raw = values[at["received_at"]].strip()
        if not raw:
            raise _RowError("received_at", _("missing value"))
        received = self._time(raw, "received_at")
        code = values[at["category"]].strip()
        if code not in self.categories:
            raise _RowError("category", _("unknown category %(code)r") % {"code": code})
        lon_raw, lat_raw = values[at["lon"]], values[at["lat"]]
        try:
            lon, lat = float(lon_raw), float(lat_raw)
            if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                raise ValueError
        except ValueError:
            lon, lat = _point(lon_raw, lat_raw, ("lon", "lat"))  # type: ignore[assignment]
        address = values[at["address"]].strip()
        if lon is None and not address:
            raise _RowError("lon", _("the place is missing: give lon and lat, or an address"))
        raw_priority = values[at["priority"]].strip()
        priority = None
        if raw_priority:
            if raw_priority not in ("1", "2", "3", "4"):
                raise _RowError("priority", _("%(value)r is not 1–4") % {"value": raw_priority})
            priority = int(raw_priority)
        times = [values[at[name]].strip() for name in ("dispatched_at", "arrived_at", "cleared_at")]
        dispatched = arrived = cleared = None
        if times[0] or times[1] or times[2]:
            dispatched, arrived, cleared = (
                self._time(t, name) if t else None
                for t, name in zip(times, ("dispatched_at", "arrived_at", "cleared_at"), strict=True)
            )
            self._check_order(received, dispatched, arrived, cleared)
        return ImportRow(
            line,
            received,
            False,
            code,
            priority,
            lon,
            lat,
            address[:300],
            values[at["description"]].strip(),
            values[at["source_ref"]].strip()[:100] or f"line {line}",
            "",
            dispatched,
            arrived,
            cleared,
        )

    @staticmethod
    def _check_order(
        received: datetime.datetime,
        dispatched: datetime.datetime | None,
        arrived: datetime.datetime | None,
        cleared: datetime.datetime | None,
    ) -> None:
        if dispatched is not None and dispatched < received:
            raise _RowError("dispatched_at", _("before received_at"))
        if arrived is not None and arrived < received:
            raise _RowError("arrived_at", _("arrival before receipt (received_at)"))
        if arrived is not None and dispatched is not None and arrived < dispatched:
            raise _RowError("arrived_at", _("arrival before dispatch (dispatched_at)"))
        if cleared is not None and cleared < (arrived or received):
            raise _RowError("cleared_at", _("before receipt or arrival"))


def reader_for(
    fmt: str, handle: IO[str], tz: ZoneInfo, now: datetime.datetime, categories: dict[str, int]
) -> _Reader:
    if fmt in ("hokkaido", "chiba"):
        return NpaReader(handle, tz, now, categories)
    if fmt == "generic":
        return GenericReader(handle, tz, now, categories)
    raise ImportFormatError(
        _("Unknown format %(format)r; use one of %(formats)s")
        % {"format": fmt, "formats": ", ".join(FORMATS)}
    )
