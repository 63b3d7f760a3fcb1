"""Names kept per language in configuration (box kinds, categories), e.g. ``{"ja": "窃盗", "en": "Theft"}``."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import get_language


def pick_label(labels: Mapping[str, str] | None, fallback: str, language: str | None = None) -> str:
    """Return the name in *language* (default: the active one), else English, else any, else *fallback*.

    Deployments abroad add categories with their own languages without a translation round trip, so the
    lookup never fails: a missing language falls back rather than showing nothing.
    """
    lang = (language or get_language() or "en").split("-")[0]
    labels = labels or {}
    return str(labels.get(lang) or labels.get("en") or next(iter(labels.values()), fallback))
