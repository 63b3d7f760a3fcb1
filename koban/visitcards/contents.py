"""The shape of a card's contents and its checks, shared by the card form, the API and the demo.

The contents are what gets encrypted (``koban.visitcards.crypto.envelope``)::

    {"members": [{"name", "reading", "birth_date" (ISO date or ""), "relationship", "workplace",
                  "needs_help" (bool)}],
     "contacts": [{"name", "relationship", "phone"}],
     "notes": "what the household agreed to tell, e.g. who needs help in an evacuation"}

Each problem names its place (``members[2].birth_date``) so the form or the API can point at it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from koban.lib.validation import control_character_problem

MEMBER_FIELDS = ("name", "reading", "birth_date", "relationship", "workplace")
CONTACT_FIELDS = ("name", "relationship", "phone")
MAX_MEMBERS = 20
MAX_CONTACTS = 5
MAX_TEXT = 200
MAX_NOTES = 2000
EARLIEST_BIRTH_YEAR = 1900


def _text(value: Any, where: str, limit: int, multiline: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(_("%(field)s: must be text") % {"field": where})
    problem = control_character_problem(value, multiline=multiline)
    if problem:
        raise ValidationError(f"{where}: {problem}")
    if len(value) > limit:
        raise ValidationError(_("%(field)s: at most %(limit)d characters") % {"field": where, "limit": limit})
    return value.strip()


def _birth_date(value: Any, where: str, today: datetime.date) -> str:
    text = _text(value, where, 10)
    if not text:
        return ""
    try:
        born = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("%(field)s: not a date (YYYY-MM-DD)") % {"field": where}) from None
    if born.year < EARLIEST_BIRTH_YEAR or born > today:
        raise ValidationError(_("%(field)s: not a plausible date of birth") % {"field": where})
    return born.isoformat()


def _rows(value: Any, where: str, limit: int) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise ValidationError(_("%(field)s: must be a list of entries") % {"field": where})
    if len(value) > limit:
        raise ValidationError(_("%(field)s: at most %(limit)d entries") % {"field": where, "limit": limit})
    return value


def clean_contents(data: Any, today: datetime.date) -> dict[str, Any]:
    """Checked, normalised contents; ``ValidationError`` naming the first bad place. Empty rows are dropped."""
    if not isinstance(data, dict):
        raise ValidationError(_("contents: must be an object with members, contacts and notes"))
    members = []
    for i, row in enumerate(_rows(data.get("members"), "members", MAX_MEMBERS)):
        where = f"members[{i}]"
        member: dict[str, Any] = {
            name: _text(row.get(name), f"{where}.{name}", MAX_TEXT) for name in MEMBER_FIELDS
        }
        member["birth_date"] = _birth_date(row.get("birth_date"), f"{where}.birth_date", today)
        member["needs_help"] = bool(row.get("needs_help"))
        if not member["name"] and any(member[name] for name in MEMBER_FIELDS):
            raise ValidationError(_("%(field)s: a member needs a name") % {"field": f"{where}.name"})
        if member["name"]:
            members.append(member)
    contacts = []
    for i, row in enumerate(_rows(data.get("contacts"), "contacts", MAX_CONTACTS)):
        where = f"contacts[{i}]"
        contact = {name: _text(row.get(name), f"{where}.{name}", MAX_TEXT) for name in CONTACT_FIELDS}
        if any(contact.values()) and not (contact["name"] and contact["phone"]):
            raise ValidationError(
                _("%(field)s: a contact needs a name and a phone number") % {"field": where}
            )
        if contact["name"]:
            contacts.append(contact)
    notes = _text(data.get("notes"), "notes", MAX_NOTES, multiline=True)
    if not members:
        raise ValidationError(_("members: a card lists at least one member"))
    return {"members": members, "contacts": contacts, "notes": notes}


def has_care_needs(contents: dict[str, Any]) -> bool:
    """Whether a member was flagged as needing help in an evacuation."""
    return any(member.get("needs_help") for member in contents.get("members", []))


def searchable_names(contents: dict[str, Any]) -> list[str]:
    """The names and readings the blind index is built from (members only, not contacts)."""
    names: list[str] = []
    for member in contents.get("members", []):
        names += [member[key] for key in ("name", "reading") if member.get(key)]
    return names
