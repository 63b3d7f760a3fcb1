"""Who may open, add and remove the photos and documents attached to incidents and found items.

An attachment is read by whoever may read its record: the incident's readers (``incidents_visible_to``),
the found item's readers (``items_visible_to``, station-wide). It is added and removed by those who work
on the record: for an incident, its readers (they are its box, the boxes sent to it, their chiefs, HQ,
and whoever took it); for a found item, the holding box's staff, its chief and HQ
(``can_handle_property``). Files are served only after ``access_attachment``: unknown and forbidden ids
both answer 404 and are recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet

from koban.accounts.access.incidents import incidents_visible_to
from koban.accounts.access.lostfound import can_handle_property, items_visible_to
from koban.accounts.access.network import _active
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import User

if TYPE_CHECKING:
    from koban.attachments.models import Attachment
    from koban.incidents.models import Incident
    from koban.lostfound.models import FoundItem


def _attachments() -> QuerySet[Attachment]:
    # Looked up by label: attachments sit above accounts in the dependency order.
    return apps.get_model("attachments", "Attachment").objects.all()  # type: ignore[no-any-return]


def attachments_visible_to(user: User) -> QuerySet[Attachment]:
    """Attachments whose record *user* may read."""
    if not _active(user):
        return _attachments().none()
    incidents = incidents_visible_to(user).values("pk")
    items = items_visible_to(user).values("pk")
    scope = Q(parent_type="incidents.incident", parent_id__in=incidents)
    scope |= Q(parent_type="lostfound.founditem", parent_id__in=items)
    return _attachments().filter(scope)


def access_attachment(user: User, attachment_id: Any) -> Attachment:
    """The attachment if *user* may read its record; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, attachments_visible_to(user), attachment_id)


def can_attach_to_incident(user: User, incident: Incident) -> bool:
    """Whether *user* may add photos and documents to *incident* and remove them."""
    return _active(user) and incidents_visible_to(user).filter(pk=incident.pk).exists()


def can_attach_to_item(user: User, item: FoundItem) -> bool:
    """Whether *user* may add photos and documents to *item* and remove them (its box's staff, chief, HQ)."""
    return _active(user) and can_handle_property(user, item.box)
