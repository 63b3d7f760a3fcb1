"""CAP 1.2 XML out: one released alert as an ``<alert>`` document, checked against the OASIS schema.

The OASIS CAP 1.2 schema ships with the app (``data/CAP-v1.2.xsd``; OASIS schemas are redistributable under
the OASIS IPR policy), so every message is validated when it is released, not only in tests.
"""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import etree

from koban.alerts.models import Alert, AlertArea, AlertInfo

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "CAP-v1.2.xsd"


class CapSchemaError(ValueError):
    """A CAP document that the OASIS schema refuses; ``problems`` lists each error with its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


def schema_problems(document: etree._Element) -> list[str]:
    """The schema errors of a CAP 1.2 document, each as "line N: message" (empty when valid)."""
    validator = schema()
    if validator.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in validator.error_log]


def cap_time(moment: datetime.datetime) -> str:
    """CAP date-time: local time with its offset and no fractions ("2026-06-10T10:00:00+09:00")."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(microsecond=0)
    text = local.isoformat()
    return text.replace("+00:00", "-00:00") if text.endswith("+00:00") else text


def _add(parent: etree._Element, tag: str, text: str | None) -> None:
    if text:
        etree.SubElement(parent, f"{{{CAP_NS}}}{tag}").text = text


def references_text(alert: Alert) -> str:
    """CAP ``references``: "sender,identifier,sent" of the original (and what it referenced, if received)."""
    parts = []
    original = alert.references
    if original is not None and original.sent is not None:
        parts.append(f"{original.sender},{original.identifier},{cap_time(original.sent)}")
    if alert.references_text:
        parts.append(alert.references_text)
    return " ".join(parts)


def _area(info_el: etree._Element, area: AlertArea) -> None:
    el = etree.SubElement(info_el, f"{{{CAP_NS}}}area")
    _add(el, "areaDesc", area.area_desc)
    for polygon in area.polygons:
        _add(el, "polygon", polygon)
    for circle in area.circles:
        _add(el, "circle", circle)


def _info(root: etree._Element, info: AlertInfo, areas: list[AlertArea]) -> None:
    el = etree.SubElement(root, f"{{{CAP_NS}}}info")
    _add(el, "language", info.language)
    _add(el, "category", info.category)
    _add(el, "event", info.event)
    for tag, value in (("urgency", info.urgency), ("severity", info.severity), ("certainty", info.certainty)):
        _add(el, tag, value)
    if info.expires:
        _add(el, "expires", cap_time(info.expires))
    for tag, value in (
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
        ("web", info.web),
        ("contact", info.contact),
    ):
        _add(el, tag, value)
    for area in areas:
        _area(el, area)


def alert_element(alert: Alert) -> etree._Element:
    """The CAP ``<alert>`` element of *alert* (which must have been sent)."""
    if alert.sent is None:
        raise ValueError("an alert is written as CAP only once it has a sent time")
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", cap_time(alert.sent))
    _add(root, "status", alert.status)
    _add(root, "msgType", alert.msg_type)
    _add(root, "source", alert.source)
    _add(root, "scope", alert.scope)
    _add(root, "restriction", alert.restriction)
    _add(root, "note", alert.note)
    _add(root, "references", references_text(alert))
    areas = list(alert.areas.all())
    for info in alert.infos.all():
        _info(root, info, areas)
    return root


def to_cap_xml(alert: Alert) -> str:
    """The CAP 1.2 document of *alert*, validated against the OASIS schema (``CapSchemaError`` if not)."""
    root = alert_element(alert)
    problems = schema_problems(root)
    if problems:
        raise CapSchemaError(problems)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
