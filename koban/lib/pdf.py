"""Printouts: HTML templates rendered to A4 PDF with WeasyPrint and the system's Noto CJK fonts.

Every printout (briefing, newsletter, roster, ledgers, patrol card, counter log) goes through
``html_to_pdf``; printout views answer with ``pdf_response``. The print templates extend
``web/print_base.html``, which sets the fonts (``Noto Sans CJK JP``), the A4 page and the "n / N"
page numbers. Query parameters of printouts (language, day, month, period) are read here, each bad
value answered with a ``PrintInputError`` naming the parameter, which views turn into a 400.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.lib.dates import date_window_problem

# WeasyPrint reports every layout step at INFO; a printout per request would flood the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A ledger longer than a year is an archive export, not a printout (and would take minutes to lay out).
MAX_PERIOD_DAYS = 366
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


class PrintInputError(ValueError):
    """A printout's query parameter is not usable; the message names the parameter (translated)."""


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of *html* (fonts from the system, images embedded as data URIs or under BASE_DIR)."""
    from weasyprint import HTML  # heavy import, only when something is printed

    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    if pdf is None:  # only when a target file is given, which is not the case here
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)


def render_pdf(template: str, context: dict[str, Any], language: str, zone: dt.tzinfo | None = None) -> bytes:
    """*template* rendered in *language* (times in *zone*, default the server's) as PDF bytes."""
    with translation.override(language), timezone.override(zone or timezone.get_default_timezone()):
        html = render_to_string(template, {**context, "LANGUAGE_CODE": language})
    return html_to_pdf(html)


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """*pdf* shown in the browser (``inline``), saved as *filename* (signed-in answers are ``no-store``
    by the middleware, so printouts with names stay out of shared terminals' caches)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def bad_print_input(error: PrintInputError) -> HttpResponseBadRequest:
    """The 400 answer for a bad printout parameter (plain text, the translated message)."""
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


def print_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def print_language(request: HttpRequest) -> str:
    """The printout's language: ``?lang=`` if given, else the user's, else the page's language."""
    user = request.user
    wanted = request.GET.get("lang") or getattr(user, "language", "") or translation.get_language() or "ja"
    language = wanted.split("-")[0]
    if language not in print_languages():
        raise PrintInputError(
            _("lang: must be one of %(allowed)s.") % {"allowed": ", ".join(print_languages())}
        )
    return language


def _parse_date(name: str, value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PrintInputError(_("%(field)s: give a date as YYYY-MM-DD.") % {"field": name}) from None
    problem = date_window_problem(day, timezone.now())
    if problem:
        raise PrintInputError(f"{name}: {problem}")
    return day


def query_day(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    """The date in ``?name=`` (YYYY-MM-DD, within the plausible window), or *default* if absent."""
    value = request.GET.get(name, "")
    return _parse_date(name, value) if value.strip() else default


def query_period(request: HttpRequest, default: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """The period ``?from=…&to=…`` (both days included, at most ``MAX_PERIOD_DAYS``), or *default*."""
    first = query_day(request, "from", default[0])
    last = query_day(request, "to", default[1])
    if last < first:
        raise PrintInputError(_("to: the period ends before it starts."))
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise PrintInputError(
            _("to: a printed period is at most %(days)d days long.") % {"days": MAX_PERIOD_DAYS}
        )
    return first, last


def parse_month(name: str, value: str) -> tuple[int, int]:
    """(year, month) of *value* written YYYY-MM."""
    match = MONTH_PATTERN.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PrintInputError(_("%(field)s: give a month as YYYY-MM.") % {"field": name})
    return int(match.group(1)), int(match.group(2))
