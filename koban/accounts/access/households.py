"""Who may see the household and business registry, record visits and read visit coverage.

The registry says where people live and which homes hold someone who needs help: it is read only by
those who visit. Officers of a box see and visit the households of their own box; a station chief
those of the station's boxes. Counsellors (no police powers) do not make routine visits and do not see
the registry. HQ planners and administrators see coverage figures of their agency (aggregates only:
shares, counts, rates), never the list of households; they import address lists for their agency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import QuerySet

from koban.accounts.access.network import (
    _active,
    agencies_importable_by,
    boxes_visible_to,
    is_hq,
    stations_visible_to,
)
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import Agency, PoliceBox, PoliceBoxQuerySet, PoliceStation

if TYPE_CHECKING:
    from koban.households.models import Household, HouseholdQuerySet, Visit, VisitQuerySet


def _households(model: str) -> Any:
    # Looked up by label: households sit above accounts in the dependency order.
    return apps.get_model("households", model)


def boxes_visiting_for(user: User) -> PoliceBoxQuerySet:
    """Boxes whose households *user* sees and visits: an officer's own box, a chief's station's boxes.

    HQ (and superusers) are left out on purpose: the registry is read by those who visit.
    """
    if not _active(user) or user.is_superuser:
        return PoliceBox.objects.none()
    if user.role == Role.STATION_CHIEF and user.station_id:
        return PoliceBox.objects.filter(station_id=user.station_id)
    if user.role == Role.BOX_OFFICER and user.box_id:
        return PoliceBox.objects.filter(pk=user.box_id)
    return PoliceBox.objects.none()


def households_visible_to(user: User) -> HouseholdQuerySet:
    """Households and businesses *user* may list and open."""
    return _households("Household").objects.of_boxes(boxes_visiting_for(user))  # type: ignore[no-any-return]


def access_household(user: User, household_id: Any) -> Household:
    """The household if *user* may open it; ``Http404`` otherwise, unknown ids alike (audited)."""
    scope = households_visible_to(user).select_related("box", "beat", "building")
    return fetch_or_refuse(user, scope, household_id)


def can_visit(user: User, household: Household) -> bool:
    """Whether *user* may record a visit to *household*: the officers of its box and their chief."""
    return household.box_id is not None and boxes_visiting_for(user).filter(pk=household.box_id).exists()


def can_add_household(user: User, box: PoliceBox) -> bool:
    """Whether *user* may add an address to the registry of *box* (placed on the map)."""
    return boxes_visiting_for(user).filter(pk=box.pk).exists()


def visits_visible_to(user: User) -> VisitQuerySet:
    """Visits *user* may read: those to the households they see."""
    return _households("Visit").objects.of_households(households_visible_to(user))  # type: ignore[no-any-return]


def access_visit(user: User, visit_id: Any) -> Visit:
    """The visit if *user* may read it; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, visits_visible_to(user).select_related("household", "officer"), visit_id)


def coverage_boxes_visible_to(user: User) -> PoliceBoxQuerySet:
    """Boxes whose visit coverage (aggregate figures) *user* may read: the station's, HQ the agency's.

    Counsellors see no coverage: they take no part in routine visits.
    """
    if _active(user) and user.role == Role.BOX_COUNSELLOR:
        return PoliceBox.objects.none()
    return boxes_visible_to(user)


def coverage_stations_visible_to(user: User) -> QuerySet[PoliceStation]:
    """Stations whose visit coverage *user* may read."""
    if _active(user) and user.role == Role.BOX_COUNSELLOR:
        return PoliceStation.objects.none()
    return stations_visible_to(user)


def can_see_agency_coverage(user: User) -> bool:
    """Whether *user* may read coverage of a whole agency (HQ): figures only."""
    return is_hq(user)


def agencies_importing_households_for(actor: Any) -> QuerySet[Agency]:
    """Agencies whose address lists *actor* may import: HQ of the agency (a command run as the system: all)."""
    return agencies_importable_by(actor)
