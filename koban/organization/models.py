"""The police network: agencies, stations and the boxes (koban, chuzaisho) under them.

The hierarchy follows the Regional Police Management Rule (NPSC Rule 5/1969): an agency (prefectural
police HQ) runs police stations, each station runs boxes, and each box covers a beat (受持区, in
``koban.geography``).
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import GeometryDistance
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from koban.organization.kinds import get_kind, kind_choices


class Agency(models.Model):
    """A police organisation: the national agency or a prefectural police headquarters."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PREFECTURAL = "prefectural", _("Prefectural")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.PREFECTURAL)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Where the agency works, when its stations' areas do not say it (or not yet): places outside are
    # refused unless confirmed. Empty = the union of the stations' areas (koban.organization.jurisdiction).
    extent = models.MultiPolygonField(
        _("jurisdiction extent"),
        srid=4326,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the union of the stations' jurisdiction areas."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PoliceStationQuerySet(models.QuerySet["PoliceStation"]):
    def of_agency(self, agency: Agency) -> PoliceStationQuerySet:
        return self.filter(agency=agency)


class PoliceStation(models.Model):
    """A police station (警察署): commands its boxes and patrol cars within its jurisdiction."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="stations"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    # The station's jurisdiction; beats of its boxes should tile it without gaps or overlaps.
    area = models.MultiPolygonField(_("jurisdiction area"), srid=4326, null=True, blank=True)

    objects = PoliceStationQuerySet.as_manager()

    class Meta:
        verbose_name = _("police station")
        verbose_name_plural = _("police stations")
        ordering = ["agency__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="station_code_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class PoliceBoxQuerySet(models.QuerySet["PoliceBox"]):
    def operating(self) -> PoliceBoxQuerySet:
        """Boxes that are open or only temporarily closed (they still own a beat)."""
        return self.filter(status__in=[PoliceBox.Status.OPEN, PoliceBox.Status.TEMPORARILY_CLOSED])

    def of_station(self, station: PoliceStation) -> PoliceBoxQuerySet:
        return self.filter(station=station)

    def nearest(self, point: Point) -> PoliceBoxQuerySet:
        """These boxes ordered by planar distance to *point* (the GiST ``<->`` index operator).

        The order is in degrees, so callers that need metres re-rank the first few candidates
        geodesically (``koban.lib.geo.distance_m``); slice before evaluating.
        """
        return self.order_by(GeometryDistance("location", point))

    def with_station(self) -> PoliceBoxQuerySet:
        return self.select_related("station", "station__agency")


class PoliceBox(models.Model):
    """A koban, chuzaisho or the local equivalent: the hub of police work close to residents."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged into another box")

    station = models.ForeignKey(
        PoliceStation, verbose_name=_("police station"), on_delete=models.PROTECT, related_name="boxes"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, default="koban")
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    location = models.PointField(_("location"), srid=4326)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.OPEN)
    staffing_target = models.PositiveSmallIntegerField(
        _("staffing target"), default=3, help_text=_("Officers the box should have on each shift.")
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    # A box known only from the police's labels is placed at the middle of its areas until someone
    # who knows the street confirms (or moves) it.
    location_to_confirm = models.BooleanField(
        _("location to confirm"),
        default=False,
        help_text=_("The location is a guess (the middle of the box's areas), not the box's address."),
    )

    objects = PoliceBoxQuerySet.as_manager()

    class Meta:
        verbose_name = _("police box")
        verbose_name_plural = _("police boxes")
        ordering = ["station__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["station", "code"], name="box_code_unique_in_station"),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="merged_box_names_successor",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if get_kind(self.kind) is None:
            raise ValidationError({"kind": _("Unknown box kind %(kind)s.") % {"kind": self.kind}})

    @property
    def kind_label(self) -> str:
        kind = get_kind(self.kind)
        return kind.label() if kind else self.kind

    @property
    def is_residential(self) -> bool:
        kind = get_kind(self.kind)
        return bool(kind and kind.residential)

    @staticmethod
    def kind_choices() -> list[tuple[str, str]]:
        return kind_choices()
