"""The survey report for a chosen area: which groups it covers, and its CSV and PDF exports."""

from __future__ import annotations

import base64
import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from koban.accounts.access import fetch_or_refuse, survey_stations_for
from koban.lib.pdf import html_to_pdf
from koban.organization.models import Agency, PoliceStation
from koban.volunteers import charts
from koban.volunteers.models import VolunteerGroup, VolunteerGroupQuerySet
from koban.volunteers.statistics import SurveyReport, survey_report

TREND_YEARS = 6


@dataclass
class Area:
    """The groups a report covers and how the report names them."""

    name: str
    groups: VolunteerGroupQuerySet
    station: PoliceStation | None = None
    agency: Agency | None = None


def area_for(user: Any, station_id: str | None, agency_id: str | None) -> Area:
    """The area a user asks for: a station, an agency, or everything they may see (the country for
    national administrators). Stations and agencies outside their reach answer 404 (audited)."""
    stations: QuerySet[PoliceStation] = survey_stations_for(user)
    groups = VolunteerGroup.objects.filter(station__in=stations)
    if station_id:
        station = fetch_or_refuse(user, stations.select_related("agency"), station_id)
        return Area(station.name, groups.filter(station=station), station=station, agency=station.agency)
    agencies = Agency.objects.filter(pk__in=stations.values("agency_id"))
    if agency_id:
        agency = fetch_or_refuse(user, agencies, agency_id)
        return Area(agency.name, groups.filter(agency=agency), agency=agency)
    if agencies.count() == 1:
        agency = agencies.get()
        return Area(agency.name, groups.filter(agency=agency), agency=agency)
    return Area(_("All agencies"), groups)


def report_for(area: Area, day: datetime.date) -> SurveyReport:
    years = list(range(day.year - TREND_YEARS, day.year))
    return survey_report(area.groups, area=area.name, day=day, years=years)


def chart_images(report: SurveyReport, fmt: str) -> dict[str, bytes]:
    """The report's charts (SVG for the page, PNG for the PDF)."""
    return {
        "size": charts.bar_chart(
            [k for k, _n in report.by_size],
            [n for _k, n in report.by_size],
            _("Groups by number of members"),
            fmt=fmt,
        ),
        "age": charts.bar_chart(
            [label for _c, label, _n in report.by_age],
            [n for *_x, n in report.by_age],
            _("Members by age band"),
            fmt=fmt,
        ),
        "activity": charts.bar_chart(
            [label for _c, label, _n in report.by_activity],
            [n for *_x, n in report.by_activity],
            _("Groups by activity type"),
            fmt=fmt,
        ),
        "trend": charts.trend_chart(
            [y.year for y in report.trend],
            [y.groups for y in report.trend],
            [y.members for y in report.trend],
            (_("Groups"), _("Members")),
            fmt=fmt,
        ),
    }


def report_csv(report: SurveyReport) -> str:
    """The report as CSV rows: section, key, label, value (UTF-8 with BOM for spreadsheet programs)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Section"), _("Key"), _("Label"), _("Value")])
    writer.writerow(["area", "", report.area, report.day.isoformat()])
    writer.writerow(["total", "groups", _("Groups"), report.groups])
    writer.writerow(["total", "members", _("Members"), report.members])
    for key, n in report.by_size:
        writer.writerow(["size", key, key, n])
    for code, label, n in report.by_age:
        writer.writerow(["age", code, label, n])
    for code, label, n in report.by_activity:
        writer.writerow(["activity", code, label, n])
    writer.writerow(["blue_light", "groups", _("Certified groups"), report.blue_light_groups])
    writer.writerow(["blue_light", "vehicles", _("Blue-light vehicles"), report.blue_light_vehicles])
    writer.writerow(["blue_light", "patrollers", _("Certified patrollers"), report.blue_light_patrollers])
    for year in report.trend:
        writer.writerow(["trend_groups", year.year, year.year, year.groups])
        writer.writerow(["trend_members", year.year, year.year, year.members])
    return out.getvalue()


def report_pdf(report: SurveyReport) -> bytes:
    """The report as an A4 PDF with its charts (WeasyPrint)."""
    images = {key: base64.b64encode(png).decode("ascii") for key, png in chart_images(report, "png").items()}
    html = render_to_string("volunteers/statistics_pdf.html", {"report": report, "images": images})
    return html_to_pdf(html)
