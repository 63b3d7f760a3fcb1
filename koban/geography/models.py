"""Beats (受持区), administrative areas and roads.

Geometries are stored in WGS84 (SRID 4326), the CRS of GeoJSON. Distances and areas in metres are
computed on the geography type (geodesic) in PostGIS or in a local metric projection in Python
(``koban.lib.geo``), never in degrees.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from koban.organization.models import Agency, PoliceBox, PoliceStation


class AdminArea(models.Model):
    """An administrative or statistical area with its population, used for statistics and beats.

    Levels run from prefecture to municipality to town/chome (町丁目) and census block; the smallest
    areas are the building blocks from which beats are derived.
    """

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", _("Prefecture")
        MUNICIPALITY = "municipality", _("Municipality")
        TOWN = "town", _("Town / chome")
        BLOCK = "block", _("Census block")

    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    geom = models.MultiPolygonField(_("boundary"), srid=4326)

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="admin_area_code_unique_per_level")
        ]

    def __str__(self) -> str:
        return self.name


class BeatVersionQuerySet(models.QuerySet["BeatVersion"]):
    def active(self) -> BeatVersionQuerySet:
        return self.filter(status=BeatVersion.Status.ACTIVE)


class BeatVersion(models.Model):
    """One complete set of beats for an agency, as imported or derived at one time.

    Beats change when boxes open, close or merge. A new set is created *inactive* (draft), checked
    for overlaps and gaps, then activated; activation retires the agency's previous active set in the
    same transaction, so at any moment an agency has at most one active set and the history is kept.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (inactive)")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="beat_versions"
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = BeatVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("beat version")
        verbose_name_plural = _("beat versions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(status="active"),
                name="one_active_beat_version_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class BeatQuerySet(models.QuerySet["Beat"]):
    def current(self) -> BeatQuerySet:
        """Beats of the active versions."""
        return self.filter(version__status=BeatVersion.Status.ACTIVE)

    def containing(self, point: Point) -> BeatQuerySet:
        return self.filter(geom__intersects=point)

    def of_agency(self, agency: Agency | int) -> BeatQuerySet:
        return self.filter(version__agency=agency)

    def with_box(self) -> BeatQuerySet:
        return self.select_related("box", "box__station")


class Beat(models.Model):
    """A beat (受持区): the area one box is responsible for, down to each household and business."""

    version = models.ForeignKey(
        BeatVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="beats"
    )
    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="beats"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200, blank=True)
    geom = models.MultiPolygonField(_("boundary"), srid=4326)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)

    objects = BeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("beat")
        verbose_name_plural = _("beats")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="beat_code_unique_in_version")
        ]

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def station(self) -> PoliceStation:
        return self.box.station


class RoadSegment(models.Model):
    """A piece of road between two junctions, for travel distances and patrol coverage."""

    class Kind(models.TextChoices):
        MAJOR = "major", _("Major road")
        MINOR = "minor", _("Minor road")
        RESIDENTIAL = "residential", _("Residential street")
        PATH = "path", _("Path")

    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MINOR)
    geom = models.LineStringField(_("line"), srid=4326)
    length_m = models.FloatField(_("length (m)"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("road segment")
        verbose_name_plural = _("road segments")

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.pk}"
