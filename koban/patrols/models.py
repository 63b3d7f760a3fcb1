"""Patrol records (警ら): who patrolled, when, along which route, where they stopped, what they saw,
and the patrol cards (巡回カード) left with residents to show that the police passed by.

Routes are stored in WGS84 as a MultiLineString (a GPX track may have several segments); distances
are computed in metres when the route is saved.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from koban.organization.models import PoliceBox


class PatrolQuerySet(models.QuerySet["Patrol"]):
    def of_boxes(self, boxes: models.QuerySet[PoliceBox]) -> PatrolQuerySet:
        return self.filter(box__in=boxes)

    def between(self, start, end) -> PatrolQuerySet:  # type: ignore[no-untyped-def]
        """Patrols that overlap the period [start, end)."""
        return self.filter(started_at__lt=end, ended_at__gt=start)


class Patrol(models.Model):
    """One patrol by one officer or a pair, on foot, by bicycle or by car."""

    class Kind(models.TextChoices):
        FOOT = "foot", _("On foot")
        BICYCLE = "bicycle", _("Bicycle")
        CAR = "car", _("Car")

    class Source(models.TextChoices):
        GPX = "gpx", _("GPS track (GPX)")
        DRAWN = "drawn", _("Drawn on the map")

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="patrols"
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers"), related_name="patrols"
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FOOT)
    route = models.MultiLineStringField(_("route"), srid=4326)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    distance_m = models.FloatField(_("distance (m)"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")), name="patrol_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.box.code} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class PatrolStop(models.Model):
    """A place where the patrol stayed a while (standing watch, questioning, a check on a spot)."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="stops"
    )
    point = models.PointField(_("place"), srid=4326)
    arrived_at = models.DateTimeField(_("arrived at"))
    left_at = models.DateTimeField(_("left at"))
    detected = models.BooleanField(_("detected from the track"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("patrol stop")
        verbose_name_plural = _("patrol stops")
        ordering = ["arrived_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_at__gte=models.F("arrived_at")), name="stop_leaves_after_arrival"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patrol} @ {self.arrived_at:%H:%M}"

    @property
    def dwell_minutes(self) -> float:
        return round((self.left_at - self.arrived_at).total_seconds() / 60, 1)


class Observation(models.Model):
    """Something noted on patrol: a hazard, a suspicious person, advice given to a resident."""

    # Notes may describe a suspicious person or a resident.
    PERSONAL_FIELDS = ("note",)

    class Kind(models.TextChoices):
        HAZARD = "hazard", _("Hazard")
        SUSPICIOUS = "suspicious_person", _("Suspicious person")
        ADVICE = "advice", _("Advice given")
        OTHER = "other", _("Other")

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="observations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    point = models.PointField(_("place"), srid=4326, null=True, blank=True)
    observed_at = models.DateTimeField(_("observed at"))
    note = models.TextField(_("note"))

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["observed_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.observed_at:%Y-%m-%d %H:%M}"


class PatrolCard(models.Model):
    """A patrol card (巡回カード) left at a home: shows the residents the box's name and the time."""

    # The address of a home visited is personal data.
    PERSONAL_FIELDS = ("address", "point", "note")

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="cards"
    )
    address = models.CharField(_("address"), max_length=300)
    point = models.PointField(_("place"), srid=4326, null=True, blank=True)
    left_at = models.DateTimeField(_("left at"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("patrol card")
        verbose_name_plural = _("patrol cards")
        ordering = ["left_at"]

    def __str__(self) -> str:
        return f"{self.address} {self.left_at:%Y-%m-%d %H:%M}"
