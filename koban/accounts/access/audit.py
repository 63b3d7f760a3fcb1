"""Who reviews the audit trail and who administers users.

The trail is reviewed where the work is supervised: a station chief sees the station's events,
HQ planners their agency's, administrators everything. Users are administered by administrators
(superusers everywhere, an agency's administrator within that agency).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from koban.accounts.access.network import BOX_ROLES, HQ_ROLES, _active
from koban.accounts.models import Role, User


def audit_events_visible_to(user: User) -> QuerySet[Any]:
    """Audit events *user* may review; empty for box staff."""
    events = apps.get_model("audit", "AuditEvent").objects.all()
    if not _active(user):
        return events.none()
    if user.is_superuser:
        return events
    if user.role in HQ_ROLES:
        return events.filter(agency_id=user.agency_id) if user.agency_id else events
    if user.role == Role.STATION_CHIEF and user.station_id:
        return events.filter(station_id=user.station_id)
    return events.none()


def can_review_audit(user: User) -> bool:
    """Whether *user* may open the audit trail page at all."""
    if not _active(user):
        return False
    if user.is_superuser or user.role in HQ_ROLES:
        return True
    return user.role == Role.STATION_CHIEF and bool(user.station_id)


def can_administer_users(user: User) -> bool:
    """Whether *user* may change logins, roles and postings (in the admin)."""
    return _active(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def users_administered_by(user: User) -> QuerySet[User]:
    """Users whose role and posting *user* may change: everyone for superusers, else the agency's."""
    users = User.objects.all()
    if not can_administer_users(user):
        return users.none()
    if user.is_superuser or not user.agency_id:
        return users
    agency = user.agency_id
    return users.filter(
        Q(agency_id=agency) | Q(station__agency_id=agency) | Q(box__station__agency_id=agency)
    )


def can_grant_superuser(user: User) -> bool:
    """Only a superuser makes another superuser."""
    return _active(user) and user.is_superuser


def can_lift_lockouts(user: User) -> bool:
    """Whether *user* may end a sign-in lockout before its delay has passed: administrators."""
    return can_administer_users(user)


def passwords_resettable_by(user: User) -> QuerySet[User]:
    """People whose password *user* may reset: a station chief, the box officers and counsellors of the
    station; an administrator, the users they administer. Only a superuser resets a superuser's."""
    if can_administer_users(user):
        people = users_administered_by(user)
    elif _active(user) and user.role == Role.STATION_CHIEF and user.station_id:
        people = User.objects.filter(role__in=BOX_ROLES).filter(
            Q(station_id=user.station_id) | Q(box__station_id=user.station_id)
        )
    else:
        return User.objects.none()
    people = people.exclude(pk=user.pk)  # one's own password is changed, not reset
    return people if user.is_superuser else people.exclude(is_superuser=True)
