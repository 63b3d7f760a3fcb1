"""The questions a category asks (Open311 service attributes) and the checking of the answers."""

from __future__ import annotations

import math
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from koban.lib.labels import pick_label
from koban.lib.validation import control_character_problem
from koban.voice.models import RequestCategory

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
ANSWER_MAX = 500


def text_of(value: Any, language: str | None = None) -> str:
    """An attribute's description or value name: plain text, or text per language."""
    if isinstance(value, dict):
        return pick_label(value, "", language)
    return str(value or "")


def attributes_of(category: RequestCategory) -> list[dict[str, Any]]:
    """The category's questions in their order (ill-formed entries in the configuration are skipped)."""
    found = [a for a in category.attributes or [] if isinstance(a, dict) and a.get("code")]
    return sorted(found, key=lambda a: (a.get("order") or 0, str(a["code"])))


def _check_one(attribute: dict[str, Any], value: Any) -> tuple[Any, str | None]:
    datatype = attribute.get("datatype", "string")
    keys = {str(v.get("key")) for v in attribute.get("values") or [] if isinstance(v, dict)}
    values = value if isinstance(value, list) else [value]
    if any(not isinstance(v, str | int | float) or isinstance(v, bool) for v in values):
        return None, _("Give text.")
    values = [str(v) for v in values]
    if any(control_character_problem(v) or len(v) > ANSWER_MAX for v in values):
        return None, _("At most %(limit)d characters, without control characters.") % {"limit": ANSWER_MAX}
    if datatype == "multivaluelist":
        return (values, None) if set(values) <= keys else (None, _("Choose from the listed values."))
    if len(values) != 1:
        return None, _("Give one value.")
    one = values[0]
    if datatype == "singlevaluelist":
        return (one, None) if one in keys else (None, _("Choose from the listed values."))
    if datatype == "number":
        try:
            number = float(one)
        except ValueError:
            return None, _("Enter a number.")
        return (number, None) if math.isfinite(number) else (None, _("Enter a number."))
    if datatype == "datetime":
        try:
            parsed = parse_datetime(one)
        except ValueError:
            parsed = None
        if parsed is None or not 1900 <= parsed.year <= 9998:
            return None, _("Enter a date and time (ISO 8601).")
        return one, None
    return one, None


def clean_attributes(
    category: RequestCategory, given: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """The answers to *category*'s questions, checked; problems go into *errors* as ``attribute[code]``.

    Answers to questions the category does not ask are ignored, as Open311 servers do.
    """
    clean: dict[str, Any] = {}
    for attribute in attributes_of(category):
        code = str(attribute["code"])
        value = given.get(code)
        if value in (None, "", []):
            if attribute.get("required"):
                errors[f"attribute[{code}]"] = _("This field is required.")
            continue
        checked, problem = _check_one(attribute, value)
        if problem:
            errors[f"attribute[{code}]"] = problem
        else:
            clean[code] = checked
    return clean
