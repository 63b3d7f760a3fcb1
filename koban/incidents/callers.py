"""The caller of an incident as a reader may see them, and the checks on caller details given at intake.

Shown like the finders of lost property: unmasked to those who act on the incident (see
``koban.accounts.access.can_see_caller_details``), with a read row in the audit trail; masked
(山*** / ***78) to everyone else who may read the incident.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from koban.accounts.access import can_see_caller_details
from koban.audit.reads import note_read
from koban.incidents.models import CallerRelation, Incident
from koban.lib.masking import mask
from koban.lib.validation import control_character_problem, phone_problem

CALLER_FIELDS = ("caller_name", "caller_phone", "caller_relation")
NAME_MAX = 100
PHONE_MAX = 30


def caller_details(user: Any, incident: Incident) -> dict[str, Any] | None:
    """Name, phone and relation of the caller as *user* may see them; None when none was recorded.

    Unmasked details are noted for the request's read row in the audit trail.
    """
    if not (incident.caller_name or incident.caller_phone or incident.caller_relation):
        return None
    relation = {
        "relation": incident.caller_relation,
        "relation_label": incident.get_caller_relation_display(),
    }
    if can_see_caller_details(user, incident):
        shown = [name for name in ("caller_name", "caller_phone") if getattr(incident, name)]
        if shown:
            note_read([incident], shown)
        return {"name": incident.caller_name, "phone": incident.caller_phone, "masked": False} | relation
    return {
        "name": mask(incident.caller_name),
        "phone": mask(incident.caller_phone, keep_start=0, keep_end=2),
        "masked": True,
    } | relation


def clean_caller(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The caller fields of *values* tidied (NFKC phone, trimmed), and the problems found, by field."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    name = str(values.get("caller_name") or "").strip()
    phone = unicodedata.normalize("NFKC", str(values.get("caller_phone") or "")).strip()
    relation = str(values.get("caller_relation") or "").strip()
    if len(name) > NAME_MAX:
        errors["caller_name"] = _("The caller's name is longer than %(n)d characters.") % {"n": NAME_MAX}
    elif control_character_problem(name, multiline=False):
        errors["caller_name"] = str(control_character_problem(name, multiline=False))
    if len(phone) > PHONE_MAX or phone_problem(phone):
        errors["caller_phone"] = str(phone_problem(phone) or phone_problem("x"))
    if relation and relation not in CallerRelation.values:
        errors["caller_relation"] = _("Unknown relation %(value)s.") % {"value": relation[:40]}
    for key, value in (("caller_name", name), ("caller_phone", phone), ("caller_relation", relation)):
        if key in values:
            cleaned[key] = value
    return cleaned, errors
