"""An issue as HTML (its public page, the editor's preview) and as PDF (WeasyPrint, kept once made)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from koban.lib.labels import pick_label
from koban.lib.pdf import html_to_pdf
from koban.newsletters import charts
from koban.newsletters.advice import advice_for
from koban.newsletters.models import Newsletter, NewsletterPdf

DEFAULT_LANGUAGE = "ja"
CHART_CATEGORIES = 6


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def pick_language(raw: str | None) -> str:
    """The issue's language: the one asked for if the deployment ships it, else Japanese (the default)."""
    codes = languages()
    if raw in codes:
        return str(raw)
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in codes else codes[0]


def greeting_text(issue: Newsletter, language: str) -> str:
    return str((issue.greeting or {}).get(language) or "")


def issue_context(issue: Newsletter, language: str) -> dict[str, Any]:
    """What the issue templates show, in *language* (call inside ``translation.override``)."""
    content = issue.content or {}
    counts = content.get("counts", [])
    with translation.override(language):
        labels = [pick_label(row["labels"], row["code"], language) for row in counts]
        # The chart shows the main categories; the table lists them all.
        shown = counts[:CHART_CATEGORIES]
        series = [
            (translation.gettext("This month"), [row["this"] for row in shown]),
            (translation.gettext("Last month"), [row["last_month"] for row in shown]),
            (translation.gettext("Same month last year"), [row["last_year"] for row in shown]),
        ]
        chart = charts.counts_chart_png(labels[:CHART_CATEGORIES], series) if counts else b""
        advice = advice_for(content.get("main_categories", []))
    grid = charts.grid_map_png(
        content.get("beats", []),
        content.get("cells", []),
        content.get("cell_m", 250),
        content.get("box_point"),
    )
    rows = [dict(row, label=label) for row, label in zip(counts, labels, strict=True)]
    notices = [
        dict(n, label=pick_label(n["labels"], n["code"], language)) for n in content.get("lost_found", [])
    ]
    return {
        "issue": issue,
        "box": issue.box,
        "station": issue.box.station,
        "greeting": greeting_text(issue, language),
        "rows": rows,
        "totals": content.get("totals", {}),
        "chart_uri": charts.data_uri(chart) if chart else "",
        "map_uri": charts.data_uri(grid),
        "cell_m": content.get("cell_m", 250),
        "advice": advice,
        "notices": notices,
        "lost_found_total": content.get("lost_found_total", 0),
        "council": content.get("council", {"held": [], "upcoming": []}),
        "actions": content.get("actions_done", []),
        "LANGUAGE_CODE": language,
    }


def issue_pdf_html(issue: Newsletter, language: str) -> str:
    with translation.override(language):
        return render_to_string("newsletters/issue_pdf.html", issue_context(issue, language))


def render_pdf(issue: Newsletter, language: str) -> bytes:
    """PDF bytes of *issue* in *language* (fonts from the system, images embedded)."""
    return html_to_pdf(issue_pdf_html(issue, language))


def issue_pdf(issue: Newsletter, language: str) -> bytes:
    """The PDF of *issue*: the kept one if the issue has not changed since, else made now and kept.

    A year of issues for every box would take minutes to render up front; most are never downloaded,
    so each is made on its first request.
    """
    kept = NewsletterPdf.objects.filter(newsletter=issue, language=language).first()
    if kept is not None and kept.made_at >= issue.updated_at:
        return bytes(kept.pdf)
    pdf = render_pdf(issue, language)
    with transaction.atomic():
        NewsletterPdf.objects.update_or_create(newsletter=issue, language=language, defaults={"pdf": pdf})
    return pdf
