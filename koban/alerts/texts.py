"""The structured alert forms and the texts they produce in every language of the site.

An officer fills in facts (when, where, what happened, the person's features); the headline, description
and instruction of each CAP ``<info>`` block are rendered from templates (``templates/alerts/text/``) in
each language, so that residents read the alert in Japanese or English whatever language the officer used.
Free text (the place, what happened, clothing) is kept as written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from koban.alerts.models import Alert, Category, Certainty, Severity, Urgency

# CAP language tags of the texts produced, by site language.
CAP_LANGUAGES = {"ja": "ja-JP", "en": "en-US"}


class Sex(models.TextChoices):
    MALE = "male", _("a man")
    FEMALE = "female", _("a woman")
    UNKNOWN = "unknown", _("sex unknown")


class AgeRange(models.TextChoices):
    CHILD = "child", _("a child")
    TEENS = "teens", _("in the teens")
    TWENTIES = "20s", _("in the twenties")
    THIRTIES = "30s", _("in the thirties")
    FORTIES = "40s", _("in the forties")
    FIFTIES = "50s", _("in the fifties")
    SIXTIES = "60s", _("sixty or older")
    UNKNOWN = "unknown", _("age unknown")


class Build(models.TextChoices):
    SLIM = "slim", _("slim build")
    MEDIUM = "medium", _("medium build")
    HEAVY = "heavy", _("heavy build")
    UNKNOWN = "unknown", _("build unknown")


class Pretext(models.TextChoices):
    POLICE = "police", _("a police officer")
    BANK = "bank", _("a bank or the Japanese Bankers Association")
    FAMILY = "family", _("a son, grandson or other relative")
    CITY = "city", _("the city office (refund of medical costs)")
    OTHER = "other", _("someone else")


@dataclass(frozen=True)
class Kind:
    """How one kind of form becomes a CAP info block: its fixed CAP values and its templates."""

    event: Any
    category: str
    urgency: str
    severity: str
    certainty: str


KINDS: dict[str, Kind] = {
    Alert.FormKind.SUSPICIOUS_PERSON: Kind(
        _("Suspicious person"), Category.SECURITY, Urgency.IMMEDIATE, Severity.MODERATE, Certainty.OBSERVED
    ),
    Alert.FormKind.FRAUD_CALL: Kind(
        _("Fraud calls"), Category.SECURITY, Urgency.EXPECTED, Severity.MODERATE, Certainty.LIKELY
    ),
    Alert.FormKind.CRIME_PREVENTION: Kind(
        _("Crime prevention notice"), Category.SECURITY, Urgency.FUTURE, Severity.MINOR, Certainty.POSSIBLE
    ),
}


def _when(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime.datetime):
        return ""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return formats.date_format(local, "DATETIME_FORMAT")


def _context(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    def label(choices: type[models.TextChoices], key: str) -> str:
        value = data.get(key) or "unknown"
        return str(choices(value).label) if value in choices.values else ""

    context: dict[str, Any] = {"d": data, "when": _when(data.get("occurred_at"))}
    if kind == Alert.FormKind.SUSPICIOUS_PERSON:
        build = data.get("build") or "unknown"
        height = data.get("height_cm")
        features = [
            label(Sex, "sex"),
            label(AgeRange, "age_range"),
            gettext("about %(cm)s cm tall") % {"cm": height} if height else "",
            "" if build == "unknown" else label(Build, "build"),
        ]
        # A list of features, not a sentence: each item is translated, the separator too ("、" in Japanese).
        context["features"] = pgettext("list separator", ", ").join(f for f in features if f)
    if kind == Alert.FormKind.FRAUD_CALL:
        context["claims"] = label(Pretext, "pretext")
    return context


def _render(kind: str, part: str, context: dict[str, Any]) -> str:
    name = f"alerts/text/{kind}{'_' + part if part else ''}.txt"
    lines = [line.rstrip() for line in render_to_string(name, context).strip().splitlines()]
    return "\n".join(line for line in lines if line)


def info_values(kind: str, data: dict[str, Any], language: str) -> dict[str, Any]:
    """The values of one CAP info block for a form of *kind* with answers *data*, in *language*."""
    spec = KINDS[kind]
    with translation.override(language):
        context = _context(kind, data)
        return {
            "language": CAP_LANGUAGES.get(language, language),
            "category": spec.category,
            "event": str(spec.event),
            "urgency": spec.urgency,
            "severity": spec.severity,
            "certainty": spec.certainty,
            "headline": _render(kind, "headline", context)[:300],
            "description": _render(kind, "", context),
            "instruction": _render(kind, "instruction", context),
        }


def all_info_values(kind: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """One info block per language of the site (Japanese first, as deployments default to it)."""
    return [info_values(kind, data, code) for code, _name in settings.LANGUAGES]
