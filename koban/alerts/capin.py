"""CAP 1.2 XML in: messages from partners (e.g. a municipality's disaster notice), parsed without trusting them.

A CAP document from outside may carry a DOCTYPE with external entities (XXE: reading local files, calling
internal URLs) or nested entity definitions (billion laughs). Such a document is refused before it is parsed:
defusedxml forbids any DTD, entity declaration or external reference, and lxml then parses it with entity
resolution, network access, DTD loading and huge trees all off. The size is limited before any parsing.
What is left is checked against the OASIS schema and every error is listed with its line.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree

from koban.alerts.cap import CAP_NS, schema_problems


class CapInputError(ValueError):
    """A CAP document that is refused; ``problems`` lists what is wrong (each line a translated sentence)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ParsedArea:
    area_desc: str
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)


@dataclass
class ParsedInfo:
    values: dict[str, str]
    areas: list[ParsedArea]


@dataclass
class ParsedCap:
    identifier: str
    sender: str
    sent: datetime.datetime
    status: str
    msg_type: str
    scope: str
    source: str
    note: str
    references: str
    infos: list[ParsedInfo]


def _refuse_dangerous(data: bytes) -> None:
    try:
        SafeElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CapInputError(
            [
                _(
                    "The message declares a DTD or entities (possibly external ones). They are never "
                    "processed: send the CAP document without a DOCTYPE."
                )
            ]
        ) from None
    except SafeElementTree.ParseError as exc:
        raise CapInputError([_("The message is not well-formed XML: %(error)s") % {"error": exc}]) from None


def parse_document(data: bytes) -> etree._Element:
    """The root of a CAP document, or ``CapInputError``: too large, dangerous, not XML or not CAP 1.2."""
    limit = settings.KOBAN_CAP_MAX_BYTES
    if len(data) > limit:
        raise CapInputError(
            [
                _("The message is too large (%(size)s bytes; at most %(max)s).")
                % {"size": len(data), "max": limit}
            ]
        )
    _refuse_dangerous(data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CapInputError([_("The message is not well-formed XML: %(error)s") % {"error": exc}]) from None
    if root.tag != f"{{{CAP_NS}}}alert":
        raise CapInputError(
            [_("The message is not a CAP 1.2 alert (root element %(tag)s).") % {"tag": root.tag[:120]}]
        )
    problems = schema_problems(root)
    if problems:
        raise CapInputError([_("Schema error at %(where)s") % {"where": p} for p in problems[:50]])
    return root


def _text(el: etree._Element, tag: str) -> str:
    found = el.find(f"{{{CAP_NS}}}{tag}")
    return (found.text or "").strip() if found is not None else ""


def _texts(el: etree._Element, tag: str) -> list[str]:
    return [(child.text or "").strip() for child in el.findall(f"{{{CAP_NS}}}{tag}")]


INFO_FIELDS = (
    "language",
    "category",
    "event",
    "urgency",
    "severity",
    "certainty",
    "senderName",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "expires",
)


def _info(el: etree._Element) -> ParsedInfo:
    values: dict[str, Any] = {name: _text(el, name) for name in INFO_FIELDS}
    areas = [
        ParsedArea(_text(area, "areaDesc"), _texts(area, "polygon"), _texts(area, "circle"))
        for area in el.findall(f"{{{CAP_NS}}}area")
    ]
    return ParsedInfo(values, areas)


def parse_cap(data: bytes) -> ParsedCap:
    """A partner's CAP 1.2 message as plain values; ``CapInputError`` lists why it is refused."""
    root = parse_document(data)
    sent = parse_datetime(_text(root, "sent"))
    if sent is None:
        raise CapInputError([_("The sent time is not a date and time with an offset.")])
    return ParsedCap(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=sent,
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        source=_text(root, "source"),
        note=_text(root, "note"),
        references=_text(root, "references"),
        infos=[_info(el) for el in root.findall(f"{{{CAP_NS}}}info")],
    )
