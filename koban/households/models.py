"""The household and business registry of each beat and the routine visits (巡回連絡) made to it.

Every home and business in a beat (受持区) is visited by the officers of its box: they share crime
information, hear requests and, where residents agree, fill in a visit card (kept by
``koban.visitcards``). A household here is an *address*, never a person: no names of residents are kept
in this app; only businesses and public offices carry a name. An apartment building holds its units.

The beat and box are derived from the point when the household is placed (``beat`` is null for an
address that could not be placed in any active beat). ``last_contact_at`` caches the time of the last
visit that reached the residents (met or refused), so that "who is due" is one indexed comparison
even for a million addresses; ``record_visit`` keeps it up to date.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from koban.geography.models import Beat
from koban.organization.models import Agency, PoliceBox

if TYPE_CHECKING:
    from koban.households.policy import VisitPolicy


class Kind(models.TextChoices):
    HOUSE = "house", _("House")
    APARTMENT_BUILDING = "apartment_building", _("Apartment building")
    APARTMENT_UNIT = "apartment_unit", _("Apartment unit")
    BUSINESS = "business", _("Business")
    PUBLIC_OFFICE = "public_office", _("Public office")


# Homes, in the sense of the visit policy; businesses and offices are visited on their own schedule.
HOME_KINDS = (Kind.HOUSE, Kind.APARTMENT_UNIT)
BUSINESS_KINDS = (Kind.BUSINESS, Kind.PUBLIC_OFFICE)
# Only businesses and offices are named; homes are known by their address alone.
NAMED_KINDS = BUSINESS_KINDS


class Outcome(models.TextChoices):
    MET = "met", _("Met the residents")
    ABSENT = "absent_notice_left", _("Absent, notice left")
    REFUSED = "refused", _("Refused")
    COULD_NOT_ENTER = "could_not_enter", _("Could not enter the building")


# A visit that reached the residents (they talked, or said no to the officer's face): it resets the
# household's clock. Absence and a locked entrance are attempts only: the household stays due.
CONTACT_OUTCOMES = (Outcome.MET, Outcome.REFUSED)


class Topic(models.TextChoices):
    CRIME_INFO = "crime_info", _("Local crime information")
    FRAUD = "fraud", _("Phone and remittance fraud")
    TRAFFIC = "traffic", _("Traffic safety")
    DISASTER = "disaster", _("Disaster preparedness")
    CHILDREN = "children", _("Children's safety")
    ELDERLY = "elderly", _("Elderly residents")
    CARD = "card", _("Visit card")
    OTHER = "other", _("Other")


class HouseholdQuerySet(models.QuerySet["Household"]):
    def in_beat(self, beat: Beat | int) -> HouseholdQuerySet:
        return self.filter(beat=beat)

    def of_box(self, box: PoliceBox | int) -> HouseholdQuerySet:
        return self.filter(box=box)

    def of_boxes(self, boxes: models.QuerySet[PoliceBox]) -> HouseholdQuerySet:
        return self.filter(box__in=boxes)

    def of_agency(self, agency: Agency | int) -> HouseholdQuerySet:
        return self.filter(agency=agency)

    def placed(self) -> HouseholdQuerySet:
        return self.filter(beat__isnull=False)

    def unplaced(self) -> HouseholdQuerySet:
        """Addresses that could not be placed in any active beat (outside every beat when imported)."""
        return self.filter(beat__isnull=True)

    def visitable(self) -> HouseholdQuerySet:
        """What officers visit: every address except apartment buildings that hold units (their units
        are visited instead); a building registered without units is visited as a whole."""
        return self.exclude(kind=Kind.APARTMENT_BUILDING, units__isnull=False).distinct()

    def due(self, policy: VisitPolicy, at: datetime.datetime) -> HouseholdQuerySet:
        """Visitable addresses whose last contact is older than the policy's interval for them at *at*
        (or that were never reached)."""
        return self.visitable().filter(policy.due_condition(at))

    def never_visited(self) -> HouseholdQuerySet:
        return self.filter(last_contact_at__isnull=True)

    def cannot_enter(self) -> HouseholdQuerySet:
        """Buildings whose entrance officers cannot pass (auto-lock condominiums)."""
        return self.filter(can_enter=False)

    def with_address_key(self, key: str) -> HouseholdQuerySet:
        return self.filter(address_key=key)


class Household(models.Model):
    """One address in the registry: a house, an apartment building or one of its units, a business
    or a public office."""

    # Where people live, and which homes need help in an evacuation, is personal data.
    PERSONAL_FIELDS = ("address", "point", "needs_care")

    # Looked up through the (agency, address_key) and (box, last_contact_at) indexes: no index of their own
    # (every index costs time on an import of a million addresses).
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="registered", db_index=False
    )
    beat = models.ForeignKey(
        Beat,
        verbose_name=_("beat"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        # Beat.households is the census count of the beat; the registry's rows are Beat.registered.
        related_name="registered",
        help_text=_("Empty when the address could not be placed in any beat."),
    )
    box = models.ForeignKey(
        PoliceBox,
        verbose_name=_("police box"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered",
        db_index=False,
    )
    point = models.PointField(_("place"), srid=4326)
    address = models.CharField(_("address"), max_length=300)
    address_key = models.CharField(_("normalised address"), max_length=300, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOUSE)
    building = models.ForeignKey(
        "self",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    name = models.CharField(_("name of the business or office"), max_length=200, blank=True)
    needs_care = models.BooleanField(
        _("needs care"),
        default=False,
        help_text=_("Someone here needs help (e.g. in an evacuation): visited more often."),
    )
    can_enter = models.BooleanField(
        _("officers can enter"),
        default=True,
        help_text=_("Off for buildings whose entrance officers cannot pass (auto-lock)."),
    )
    last_contact_at = models.DateTimeField(_("last reached"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["address", "id"]
        indexes = [
            models.Index(fields=["box", "last_contact_at"], name="household_box_contact"),
            models.Index(fields=["agency", "address_key"], name="household_agency_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(building__isnull=True) | Q(kind=Kind.APARTMENT_UNIT),
                name="household_only_units_in_buildings",
            ),
            models.CheckConstraint(
                condition=Q(name="") | Q(kind__in=NAMED_KINDS),
                name="household_only_businesses_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.address

    @property
    def is_business(self) -> bool:
        return self.kind in BUSINESS_KINDS


class VisitQuerySet(models.QuerySet["Visit"]):
    def of_households(self, households: models.QuerySet[Household]) -> VisitQuerySet:
        return self.filter(household__in=households)

    def between(self, start: datetime.datetime, end: datetime.datetime) -> VisitQuerySet:
        """Visits made in [start, end)."""
        return self.filter(visited_at__gte=start, visited_at__lt=end)

    def contacts(self) -> VisitQuerySet:
        """Visits that reached the residents (see ``CONTACT_OUTCOMES``)."""
        return self.filter(outcome__in=CONTACT_OUTCOMES)

    def refused(self) -> VisitQuerySet:
        return self.filter(outcome=Outcome.REFUSED)


class Visit(models.Model):
    """One routine visit (巡回連絡) to a household or business: when, by whom, and how it went."""

    # What was talked about and what residents asked for may say who they are.
    PERSONAL_FIELDS = ("note", "requests")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    # The box that made the visit, kept as it was (a household may later move to another beat).
    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visited at"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    topics = ArrayField(
        models.CharField(max_length=20, choices=Topic.choices),
        verbose_name=_("topics talked about"),
        default=list,
        blank=True,
    )
    note = models.TextField(_("what was talked about"), blank=True)
    requests = models.TextField(_("requests raised"), blank=True)
    # The residents' request that ``requests`` was handed to (the voice queue), when the officer sent it.
    voice_request = models.ForeignKey(
        "voice.Request",
        verbose_name=_("request created"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["household", "-visited_at"], name="visit_household_time"),
            models.Index(fields=["box", "visited_at"], name="visit_box_time"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_at:%Y-%m-%d}"

    @property
    def reached(self) -> bool:
        return self.outcome in CONTACT_OUTCOMES
