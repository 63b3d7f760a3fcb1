"""The audit trail: one row per change made through a service function, and one per read of personal data."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def reads(self) -> AuditEventQuerySet:
        """Rows recording that personal data was shown."""
        return self.filter(records_read__gt=0)

    def between(self, start: datetime.datetime | None, end: datetime.datetime | None) -> AuditEventQuerySet:
        """Events at or after *start* and before *end* (either may be open)."""
        events = self
        if start is not None:
            events = events.filter(at__gte=start)
        if end is not None:
            events = events.filter(at__lt=end)
        return events

    def matching(self, text: str) -> AuditEventQuerySet:
        """Events whose actor, object, id or note contains *text* (case-insensitive)."""
        if not text:
            return self
        return self.filter(
            Q(actor_name__icontains=text)
            | Q(object_repr__icontains=text)
            | Q(object_id=text)
            | Q(note__icontains=text)
        )

    def read_counts(self) -> dict[int, int]:
        """Personal records read per actor id (reads by signed-in users only)."""
        rows = self.reads().filter(actor_id__isnull=False).values("actor_id").annotate(n=Sum("records_read"))
        return {row["actor_id"]: row["n"] for row in rows.order_by()}


class AuditEvent(models.Model):
    """Who changed what and when, with the object's fields before and after the change.

    Rows are written only by ``koban.audit.services.record`` inside the same transaction as the
    change itself, so a change and its audit row are saved together or not at all. Reads of personal
    data are written by ``record_read``: one row per request, with the ids and the fields shown. The object is
    referenced by label and primary key (not a foreign key) so that the trail outlives the object.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The trail is append-only (a database trigger refuses UPDATE and DELETE), so no foreign key of
    # this table may cascade or set null: the references carry no database constraint and deleting a
    # user, station or agency leaves the rows as they were (users are deactivated, not deleted).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Where the event belongs, so that a station chief reviews the station's trail and HQ the
    # agency's: the station and agency of the object, else of the actor's posting.
    station = models.ForeignKey(
        "organization.PoliceStation",
        verbose_name=_("police station"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    agency = models.ForeignKey(
        "organization.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # For reads: how many personal records the request showed (0 for changes).
    records_read = models.PositiveIntegerField(_("records read"), default=0)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
