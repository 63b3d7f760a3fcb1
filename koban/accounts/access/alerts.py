"""Who may draft, read, approve and follow area alerts, and who sees which subscriptions.

- An alert is drafted for a box by a police officer of that box (not a counsellor), the station chief or HQ,
  or by the staff of a partner organization for the boxes (or the stations' boxes) it works with; it belongs
  to the box's station. Drafts carry facts about suspects before they are public: they are read by
  the station's police staff and HQ of the agency, and by whoever drafted them.
- A draft is released only when a station role approves it: the chief of its station or HQ of its agency,
  and never the person who drafted it (four eyes). Updates and cancellations follow the same path.
- Released public alerts are open to anyone (public pages and feeds), without any of these functions.
- Subscriptions hold e-mail addresses: a member sees their own; webhooks of partner systems are managed
  by HQ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from koban.accounts.access.community import is_partner_staff, own_partner_ids
from koban.accounts.access.network import (
    HQ_ROLES,
    _active,
    boxes_workable_by,
    has_police_powers,
    is_hq,
    stations_visible_to,
)
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.alerts.models import Alert, AlertQuerySet, SubscriptionQuerySet


def _alerts(model: str) -> Any:
    # Looked up by label: alerts sit above accounts in the dependency order.
    return apps.get_model("alerts", model)


def alerts_visible_to(user: User) -> AlertQuerySet:
    """Alerts (drafts included) *user* may read inside the application."""
    alerts = _alerts("Alert").objects
    if not _active(user):
        return alerts.none()  # type: ignore[no-any-return]
    own = Q(drafted_by=user)
    if not has_police_powers(user) and user.role != Role.BOX_COUNSELLOR:
        return alerts.filter(own)  # type: ignore[no-any-return]
    return alerts.filter(own | Q(station__in=stations_visible_to(user)))  # type: ignore[no-any-return]


def access_alert(user: User, alert_id: Any) -> Alert:
    """The alert if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, alerts_visible_to(user).with_texts(), alert_id)


def boxes_alertable_by(user: User) -> PoliceBoxQuerySet:
    """Boxes for which *user* may draft alerts: police officers of the box, its chief, HQ, partner staff."""
    if is_partner_staff(user):
        partners = apps.get_model("partners", "Partner").objects.filter(
            pk__in=own_partner_ids(user), active=True
        )
        worked_with = Q(pk__in=partners.values("boxes")) | Q(station__in=partners.values("stations"))
        return PoliceBox.objects.filter(worked_with).distinct()
    if not has_police_powers(user):
        return PoliceBox.objects.none()
    return boxes_workable_by(user)


def can_draft_alerts(user: User) -> bool:
    return boxes_alertable_by(user).exists()


def can_approve_alert(user: User, alert: Alert) -> bool:
    """Whether *user* may release or reject *alert*: its station's chief or HQ, never its drafter."""
    if not _active(user) or user.pk == alert.drafted_by_id:
        return False
    if user.is_superuser:
        return True
    if user.role in HQ_ROLES:
        return not user.agency_id or user.agency_id == alert.agency_id
    return user.role == Role.STATION_CHIEF and user.station_id == alert.station_id


def access_alert_for_decision(user: User, alert_id: Any) -> Alert:
    """The alert *user* approves or rejects: ``Http404`` if unreadable, ``PermissionDenied`` if not theirs."""
    alert = access_alert(user, alert_id)
    if not can_approve_alert(user, alert):
        raise PermissionDenied(_("Only the station chief or HQ may approve an alert, and not its author."))
    return alert


def can_follow_up_alert(user: User, alert: Alert) -> bool:
    """Whether *user* may draft an update or a cancellation of *alert* (a released one of their boxes)."""
    if alert.box_id is None:
        return is_hq(user) or can_approve_alert(user, alert)
    return boxes_alertable_by(user).filter(pk=alert.box_id).exists()


def can_import_cap(user: User) -> bool:
    """Whether *user* may receive partners' CAP messages for re-broadcast (a station role or HQ)."""
    return is_hq(user) or (_active(user) and user.role == Role.STATION_CHIEF and bool(user.station_id))


def subscriptions_visible_to(user: User) -> SubscriptionQuerySet:
    """Subscriptions *user* may see: their own."""
    subscriptions = _alerts("Subscription").objects
    if not _active(user):
        return subscriptions.none()  # type: ignore[no-any-return]
    return subscriptions.filter(user=user)  # type: ignore[no-any-return]


def can_manage_webhooks(user: User) -> bool:
    """Whether *user* may register partner systems' webhooks (HQ)."""
    return is_hq(user)
