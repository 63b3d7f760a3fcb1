"""Changes to logins: a user's role, posting (agency, station, box) and whether they may sign in.

Every change is one transaction with one audit row holding the fields before and after. Users are
deactivated, never deleted: the audit trail and the records of daily work keep pointing at them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from koban.accounts.models import Role, User
from koban.audit.services import changed_fields, record, snapshot
from koban.organization.models import Agency, PoliceBox, PoliceStation

# Fields whose change alters what a user may see and do: recorded as a posting change.
POSTING_FIELDS = {"role", "agency", "station", "box", "is_active", "is_staff", "is_superuser"}
# Everything else an administrator may change about a login (the password has its own form).
PROFILE_FIELDS = {"username", "first_name", "last_name", "email", "display_name", "badge_number", "language"}
USER_FIELDS = POSTING_FIELDS | PROFILE_FIELDS
_SECRET = ("password",)


def check_posting(
    role: str,
    agency: Agency | None,
    station: PoliceStation | None,
    box: PoliceBox | None,
    *,
    complete: bool = True,
) -> None:
    """Raise ValidationError, naming the field, when the posting does not hang together.

    With *complete*, box staff must have a box and a chief a station (a new login gets its posting
    after it is created).
    """
    errors: dict[str, str] = {}
    if box is not None and station is not None and box.station_id != station.pk:
        errors["box"] = _("The box %(box)s does not belong to the station %(station)s.") % {
            "box": box,
            "station": station,
        }
    if station is not None and agency is not None and station.agency_id != agency.pk:
        errors["station"] = _("The station %(station)s does not belong to the agency %(agency)s.") % {
            "station": station,
            "agency": agency,
        }
    if complete and role in (Role.BOX_OFFICER, Role.BOX_COUNSELLOR) and box is None:
        errors["box"] = _("Box officers and counsellors are posted to a box.")
    if complete and role == Role.STATION_CHIEF and station is None:
        errors["station"] = _("A station chief is posted to a station.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_user(actor: Any, user: User, **changes: Any) -> User:
    """Change *user*'s role, posting, activity or profile, with one audit row of before and after.

    The action is ``user.posting`` when anything in ``POSTING_FIELDS`` changed (role, posting,
    sign-in rights), ``user.update`` otherwise; nothing is written when nothing changed.
    """
    unknown = set(changes) - USER_FIELDS
    if unknown:
        raise ValueError(f"not changeable here: {sorted(unknown)}")
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(locked, exclude=_SECRET)
    for name, value in changes.items():
        setattr(locked, name, value)
    reposted = bool(set(changes) & {"role", "station", "box"})
    check_posting(locked.role, locked.agency, locked.station, locked.box, complete=reposted)
    locked.full_clean(exclude=["password"])
    diff = changed_fields(before, snapshot(locked, exclude=_SECRET))
    if not diff:
        return locked
    # snapshot() keys foreign keys by field name ("box"), so the diff's keys are field names.
    locked.save(update_fields=list(diff))
    action = "user.posting" if set(diff) & POSTING_FIELDS else "user.update"
    record(
        actor,
        action,
        locked,
        before={k: v[0] for k, v in diff.items()},
        after={k: v[1] for k, v in diff.items()},
    )
    for name in changes:
        setattr(user, name, getattr(locked, name))
    return locked


@transaction.atomic
def create_user(actor: Any, user: User) -> User:
    """Save a new login prepared by a form (username and hashed password set), with an audit row."""
    check_posting(user.role, user.agency, user.station, user.box, complete=False)
    user.save()
    record(actor, "user.create", user, after=snapshot(user, exclude=_SECRET))
    return user
