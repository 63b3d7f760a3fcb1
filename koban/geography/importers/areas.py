"""Importing administrative and statistical areas (municipalities, 町丁目, census blocks).

The fields to read are given as *field specs*: a field name, or several joined with ``+`` whose
values are concatenated (e-Stat codes are split over ``PREF``, ``CITY`` and ``S_AREA``). Presets
cover the Japanese files the project uses:

- ``n03``: 国土数値情報 N03 municipalities (GeoJSON, ``N03_00x`` fields). Code ``N03_007``; name
  ``N03_004``, prefixed with the designated city for wards (札幌市中央区); parent = prefecture.
- ``estat-blocks``: e-Stat 2020 basic unit blocks (基本単位区). Code ``KEY_CODE``, name ``S_NAME``,
  ``JINKO``/``SETAI``; parent = the town below.
- ``estat-towns``: the same file dissolved into 町丁目, population summed. ``S_AREA`` numbers blocks,
  not towns (柏市 has 6,177 of them for 306 town names), so a town is a municipality and a name:
  code ``<PREF><CITY>-<S_NAME>`` (e.g. ``12217-柏五丁目``).
- ``chome``: e-Stat 2015 small areas (町丁・字等) such as the Tottori chome Shapefile. Code
  ``KEY_CODE``, name ``MOJI``, ``JINKO``/``SETAI``; parent = municipality ``KEN+CITY``.

Features sharing a code are one area in several pieces and are dissolved (their populations
added) when ``dissolve`` is on, which every preset sets; otherwise a repeated code is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.utils.translation import gettext as _

from koban.audit.services import record, record_bulk, snapshot
from koban.geography.importers.core import (
    AUDIT_EACH_OBJECT_UP_TO,
    ImportReport,
    Progress,
    Ticker,
    clean_polygon,
    parse_count,
    to_geos,
    union_multipolygon,
    write_all,
)
from koban.geography.importers.readers import ReadError, open_vector
from koban.geography.models import AdminArea

Values = dict[str, str | None]
Getter = Callable[[Values], str | None]

PARENT_LEVEL = {
    AdminArea.Level.BLOCK: AdminArea.Level.TOWN,
    AdminArea.Level.TOWN: AdminArea.Level.MUNICIPALITY,
    AdminArea.Level.MUNICIPALITY: AdminArea.Level.PREFECTURE,
}


def field_getter(spec: str) -> Getter:
    """Return a function reading *spec* ("NAME" or "A+B+C", concatenated) from a feature's values."""
    names = [part.strip() for part in spec.split("+") if part.strip()]

    def get(values: Values) -> str | None:
        parts = [(values.get(name) or "").strip() for name in names]
        if not all(parts):
            return None
        return "".join(parts)

    return get


def spec_fields(spec: str | None) -> list[str]:
    return [part.strip() for part in (spec or "").split("+") if part.strip()]


@dataclass
class AreaImportOptions:
    """How to read areas from a file: the level they are at and the fields holding each value."""

    level: str
    code_field: str
    name_field: str
    population_field: str | None = None
    households_field: str | None = None
    parent_field: str | None = None
    dissolve: bool = False
    source: str = ""
    encoding: str | None = None
    srid: int | None = None
    layer: str | None = None
    # Presets may compute a value from several fields; these override the field specs above.
    code_getter: Getter | None = field(default=None, repr=False)
    name_getter: Getter | None = field(default=None, repr=False)
    parent_getter: Getter | None = field(default=None, repr=False)
    getter_fields: tuple[str, ...] = ()  # the fields the getters above read

    def fields_read(self) -> set[str]:
        specs = [
            self.code_field,
            self.name_field,
            self.population_field,
            self.households_field,
            self.parent_field,
        ]
        return {name for spec in specs for name in spec_fields(spec)} | set(self.getter_fields)

    def code_of(self) -> Getter:
        return self.code_getter or field_getter(self.code_field)

    def name_of(self) -> Getter:
        return self.name_getter or field_getter(self.name_field)

    def parent_of(self) -> Getter | None:
        if self.parent_getter:
            return self.parent_getter
        return field_getter(self.parent_field) if self.parent_field else None


def _n03_name(values: Values) -> str | None:
    name = (values.get("N03_004") or "").strip()
    county_or_city = (values.get("N03_003") or "").strip()
    if name and county_or_city.endswith("市"):
        return county_or_city + name  # a ward of a designated city: 札幌市 + 中央区
    return name or None


def _estat_town_code(values: Values) -> str | None:
    """The 町丁目 of an e-Stat 2020 block: its municipality code and name (``S_AREA`` is per block)."""
    city = field_getter("PREF+CITY")(values)
    name = (values.get("S_NAME") or "").strip()
    return f"{city}-{name}"[:40] if city and name else None


def _prefix(spec: str, length: int) -> Getter:
    get = field_getter(spec)

    def parent(values: Values) -> str | None:
        code = get(values)
        return code[:length] if code and len(code) >= length else None

    return parent


PRESETS: dict[str, Callable[[], AreaImportOptions]] = {
    "n03": lambda: AreaImportOptions(
        level=AdminArea.Level.MUNICIPALITY,
        code_field="N03_007",
        name_field="N03_004",
        dissolve=True,
        source="国土数値情報（行政区域データ）N03",
        name_getter=_n03_name,
        parent_getter=_prefix("N03_007", 2),
        getter_fields=("N03_003", "N03_004", "N03_007"),
    ),
    "estat-blocks": lambda: AreaImportOptions(
        level=AdminArea.Level.BLOCK,
        code_field="KEY_CODE",
        name_field="S_NAME",
        population_field="JINKO",
        households_field="SETAI",
        parent_field="PREF+CITY+S_NAME",
        dissolve=True,
        source="e-Stat 国勢調査 基本単位区",
        parent_getter=_estat_town_code,
        getter_fields=("PREF", "CITY", "S_NAME"),
    ),
    "estat-towns": lambda: AreaImportOptions(
        level=AdminArea.Level.TOWN,
        code_field="PREF+CITY+S_NAME",
        name_field="S_NAME",
        population_field="JINKO",
        households_field="SETAI",
        parent_field="PREF+CITY",
        dissolve=True,
        source="e-Stat 国勢調査 小地域（基本単位区を集約）",
        code_getter=_estat_town_code,
        getter_fields=("PREF", "CITY", "S_NAME"),
    ),
    "chome": lambda: AreaImportOptions(
        level=AdminArea.Level.TOWN,
        code_field="KEY_CODE",
        name_field="MOJI",
        population_field="JINKO",
        households_field="SETAI",
        parent_field="KEN+CITY",
        dissolve=True,
        source="e-Stat 国勢調査 小地域（町丁・字等）",
    ),
}


def preset_options(name: str, **overrides: Any) -> AreaImportOptions:
    """Return the options of a preset with some values replaced (e.g. ``encoding``)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name}; known: {', '.join(PRESETS)}")
    options = PRESETS[name]()
    for key, value in overrides.items():
        if value is not None:
            setattr(options, key, value)
    return options


@dataclass
class _AreaPlan:
    number: int
    code: str
    name: str
    parent_code: str | None
    population: int | None
    households: int | None
    parts: list[shapely.MultiPolygon]


def import_areas(
    path: str | Path,
    options: AreaImportOptions,
    *,
    commit: bool = False,
    actor: Any = "import_areas",
    progress: Progress | None = None,
    source_name: str | None = None,
) -> ImportReport:
    """Validate every feature of the file, then (only if there is no error) create or update the areas."""
    path = Path(path)
    report = ImportReport("areas", source_name or path.name, commit=commit)
    if options.level not in AdminArea.Level.values:
        report.error(0, "level", _("unknown level %(level)s") % {"level": options.level})
        return report
    try:
        source = open_vector(path, layer=options.layer, encoding=options.encoding, srid=options.srid)
    except ReadError as exc:
        report.error(0, "", str(exc))
        return report
    for note in source.warnings:
        report.warn(0, "", note)
    if not _fields_present(report, source.fields, options):
        return report
    plans = _plan(source, options, report, progress)
    if not commit and report.ok:
        # Areas have no checks after writing, so a dry run only counts; writing thousands of
        # polygons to roll them back would double the wait for nothing.
        _preview(plans, options, report)
        return report
    return write_all(
        report,
        lambda: _write(plans, options, report, actor, progress, source_name or path.name),
        progress,
    )


def _preview(plans: list[_AreaPlan], options: AreaImportOptions, report: ImportReport) -> None:
    codes = [p.code for p in plans]
    existing = set(
        AdminArea.objects.filter(level=options.level, code__in=codes).values_list("code", flat=True)
    )
    updated = sum(1 for p in plans if p.code in existing)
    report.tally("area", "created", len(plans) - updated)
    report.tally("area", "updated", updated)
    _warn_missing_parents(plans, options, report, _parent_ids(plans, options.level))


def _fields_present(report: ImportReport, fields: list[str], options: AreaImportOptions) -> bool:
    wanted = [
        ("code", options.code_field),
        ("name", options.name_field),
        ("population", options.population_field),
        ("households", options.households_field),
        ("parent", options.parent_field),
    ]
    wanted += [("code", name) for name in options.getter_fields]
    for role, spec in wanted:
        for name in spec_fields(spec):
            if name not in fields:
                report.error(
                    0,
                    name,
                    _("the file has no field %(name)s for the %(role)s (fields: %(fields)s)")
                    % {"name": name, "role": role, "fields": ", ".join(fields)},
                )
    return report.ok


def _plan(
    source, options: AreaImportOptions, report: ImportReport, progress: Progress | None
) -> list[_AreaPlan]:  # type: ignore[no-untyped-def]
    code_of, name_of, parent_of = options.code_of(), options.name_of(), options.parent_of()
    plans: dict[str, _AreaPlan] = {}
    ticker = Ticker(progress, _("checking"), source.feature_count)
    for feature in source.features(only=options.fields_read()):
        ticker.tick()
        report.total += 1
        number, values = feature.number, feature.properties
        errors_before = len(report.errors)
        code = code_of(values)
        if not code and _is_unassigned(values, options):
            # N03 lists land no municipality owns yet (reclaimed or disputed) without a code.
            report.warn(
                number,
                options.code_field,
                _("%(name)s (land not assigned to any municipality) has no code: skipped")
                % {"name": name_of(values)},
            )
            report.skipped += 1
            continue
        if not code:
            report.error(number, options.code_field, _("missing value"))
        name = name_of(values)
        if not name:
            report.error(number, options.name_field, _("missing value"))
        population = _count(report, number, options.population_field, values)
        households = _count(report, number, options.households_field, values)
        geom = clean_polygon(report, number, feature.geometry, feature.geometry_error)
        if len(report.errors) > errors_before or not code or not name or geom is None:
            continue
        if code in plans:
            if not options.dissolve:
                report.error(
                    number,
                    options.code_field,
                    _("duplicate code %(code)s (first at feature %(first)s)")
                    % {"code": code, "first": plans[code].number},
                )
                continue
            _merge(plans[code], population, households, geom)
            continue
        parent = parent_of(values) if parent_of else None
        plans[code] = _AreaPlan(number, code[:40], name[:200], parent, population, households, [geom])
    ticker.finish()
    return list(plans.values())


# Names N03 gives to land that belongs to no municipality yet (所属未定地: reclaimed land, lakes).
UNASSIGNED_NAMES = ("所属未定地", "所属未定")


def _is_unassigned(values: Values, options: AreaImportOptions) -> bool:
    name = (options.name_of()(values) or "").strip()
    return name in UNASSIGNED_NAMES


def _count(report: ImportReport, number: int, spec: str | None, values: Values) -> int | None:
    if not spec:
        return None
    return parse_count(report, number, spec, field_getter(spec)(values))


def _merge(
    plan: _AreaPlan, population: int | None, households: int | None, geom: shapely.MultiPolygon
) -> None:
    plan.parts.append(geom)
    if population is not None:
        plan.population = (plan.population or 0) + population
    if households is not None:
        plan.households = (plan.households or 0) + households


def _write(
    plans: list[_AreaPlan],
    options: AreaImportOptions,
    report: ImportReport,
    actor: Any,
    progress: Progress | None,
    file_name: str,
) -> None:
    """Create or replace the areas in bulk, link parents, and write the audit trail."""
    level = options.level
    source_label = (options.source or file_name)[:200]
    existing = {a.code: a for a in AdminArea.objects.filter(level=level, code__in=[p.code for p in plans])}
    parent_ids = _parent_ids(plans, level)
    to_create, to_update = [], []
    ticker = Ticker(progress, _("writing"), len(plans), every=1000)
    for plan in plans:
        ticker.tick()
        geom = to_geos(union_multipolygon(plan.parts))
        fields = {
            "name": plan.name,
            "population": plan.population,
            "households": plan.households,
            "source": source_label,
            "geom": geom,
            "parent_id": parent_ids.get(plan.parent_code or ""),
        }
        area = existing.get(plan.code)
        if area is None:
            to_create.append(AdminArea(level=level, code=plan.code, **fields))
        else:
            for name, value in fields.items():
                setattr(area, name, value)
            to_update.append(area)
    AdminArea.objects.bulk_create(to_create, batch_size=500)
    AdminArea.objects.bulk_update(
        to_update, ["name", "population", "households", "source", "geom", "parent_id"], batch_size=500
    )
    ticker.finish()
    report.tally("area", "created", len(to_create))
    report.tally("area", "updated", len(to_update))
    _warn_missing_parents(plans, options, report, parent_ids)
    _audit(actor, to_create, to_update, report, file_name, level)


def _warn_missing_parents(
    plans: list[_AreaPlan], options: AreaImportOptions, report: ImportReport, parent_ids: dict[str, int]
) -> None:
    missing_parents = sorted(
        {p.parent_code for p in plans if p.parent_code and p.parent_code not in parent_ids}
    )
    if missing_parents:
        shown = ", ".join(missing_parents[:10]) + (" …" if len(missing_parents) > 10 else "")
        report.warn(
            0,
            options.parent_field or "parent",
            _(
                "%(n)s parent area(s) at level %(level)s are not in the database (%(codes)s); parent left empty"
            )
            % {
                "n": len(missing_parents),
                "level": PARENT_LEVEL.get(AdminArea.Level(options.level), "?"),
                "codes": shown,
            },
        )


def _parent_ids(plans: list[_AreaPlan], level: str) -> dict[str, int]:
    parent_level = PARENT_LEVEL.get(level)  # type: ignore[call-overload]
    codes = {p.parent_code for p in plans if p.parent_code}
    if parent_level is None or not codes:
        return {}
    return dict(AdminArea.objects.filter(level=parent_level, code__in=codes).values_list("code", "id"))


def _audit(
    actor: Any,
    created: list[AdminArea],
    updated: list[AdminArea],
    report: ImportReport,
    file_name: str,
    level: str,
) -> None:
    """One audit row per area for small imports; one bulk row for large ones."""
    if len(created) + len(updated) <= AUDIT_EACH_OBJECT_UP_TO:
        for area in created:
            record(actor, "admin_area.create", area, after=snapshot(area), note=file_name)
        for area in updated:
            record(actor, "admin_area.update", area, after=snapshot(area), note=file_name)
        return
    record_bulk(
        actor,
        "admin_area.import",
        AdminArea,
        count=len(created) + len(updated),
        after={
            "file": file_name,
            "level": level,
            "created": len(created),
            "updated": len(updated),
            "codes": [a.code for a in (created + updated)[:20]],
        },
        note=_(
            "Imported %(n)s areas at level %(level)s from %(file)s (%(created)s created, %(updated)s updated)"
        )
        % {
            "n": len(created) + len(updated),
            "level": level,
            "file": file_name,
            "created": len(created),
            "updated": len(updated),
        },
    )
