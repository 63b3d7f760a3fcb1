"""Incidents and 110 calls: intake, dispatch, status history, response times.

An incident is anything the police are asked to deal with at a place and time: a 110 call passed on
by the prefectural command room, a report made at the box counter, something an officer finds on
patrol, or a historical record imported from the police open-data files. At intake the point is
placed in a beat (受持区), which names the responsible box and station; a point outside every active
beat is kept and flagged "outside jurisdiction" so that it is never silently dropped.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from koban.geography.labels import box_key, label_key
from koban.geography.models import Beat
from koban.lib.labels import pick_label
from koban.lib.search import grams_index, reference_form, text_condition, with_search_text, words_of
from koban.organization.models import Agency, PoliceBox, PoliceStation
from koban.rosters.models import PatrolCar


class Priority(models.IntegerChoices):
    """How urgently units must respond; 1 is the most urgent (life or ongoing crime)."""

    URGENT = 1, _("1 – urgent")
    HIGH = 2, _("2 – high")
    NORMAL = 3, _("3 – normal")
    LOW = 4, _("4 – low (non-urgent, #9110)")


class IncidentCategoryQuerySet(models.QuerySet["IncidentCategory"]):
    def active(self) -> IncidentCategoryQuerySet:
        return self.filter(active=True)


class IncidentCategory(models.Model):
    """A kind of incident (theft, traffic accident, lost child …), configured per deployment.

    Labels are kept per language as JSON (``{"ja": "窃盗", "en": "Theft"}``) so that a deployment
    abroad can add its own categories without a translation round trip. Inactive categories stay
    attached to old incidents but are not offered at intake.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    labels = models.JSONField(_("labels by language"), default=dict)
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    objects = IncidentCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, self.code, language)


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SCENE = "on_scene", _("On scene")
    CLEARED = "cleared", _("Cleared")
    CANCELLED = "cancelled", _("Cancelled")


class Source(models.TextChoices):
    CALL_110 = "call_110", _("110 call")
    WALK_IN = "walk_in", _("Walk-in report")
    OFFICER = "officer", _("Found by an officer")
    IMPORTED = "imported", _("Imported record")


class CallerRelation(models.TextChoices):
    """How the caller or reporter stands to what they report."""

    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")
    FAMILY = "family", _("Family or acquaintance")
    FINDER = "finder", _("Found it / passer-by")
    STAFF = "staff", _("Staff of the place (shop, station …)")
    OTHER = "other", _("Other")


class LocationSource(models.TextChoices):
    POINT = "point", _("Point given")
    AREA = "area", _("Placed by area (町丁目)")


class IncidentImport(models.Model):
    """One bulk import of historical incidents from a file: what was read, kept and rejected.

    Imported incidents point here, so that one import can be reviewed or removed as a whole; the
    audit trail holds one summary row per import, attached to this record.
    """

    file_name = models.CharField(_("file name"), max_length=300)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    file_format = models.CharField(_("format"), max_length=20)
    encoding = models.CharField(_("encoding"), max_length=20)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_outside = models.PositiveIntegerField(_("rows outside jurisdiction"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("rows already imported"), default=0)
    rows_date_unknown = models.PositiveIntegerField(_("rows with an unknown date"), default=0)
    rows_placed_by_area = models.PositiveIntegerField(_("rows placed by their area"), default=0)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_imports",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("incident import")
        verbose_name_plural = _("incident imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows_imported})"


# The fields that words typed in the list's search box are looked for in (indexed by their grams).
INCIDENT_SEARCH_FIELDS = ("description", "address")


class IncidentQuerySet(models.QuerySet["Incident"]):
    def open(self) -> IncidentQuerySet:
        return self.filter(status__in=[Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE])

    def with_relations(self) -> IncidentQuerySet:
        return self.select_related("category", "beat", "box", "station", "created_by")

    def received_between(self, start, end) -> IncidentQuerySet:  # type: ignore[no-untyped-def]
        """Incidents received in [start, end) (either bound may be None)."""
        qs = self
        if start is not None:
            qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lt=end)
        return qs

    def search(self, text: str) -> IncidentQuerySet:
        """Incidents whose description or address holds *text* (kana or kanji, any width), or whose
        number or source reference is *text* as typed. Only punctuation finds nothing."""
        words = words_of(text)
        if not words:
            return self.none()
        condition = text_condition(words)
        reference = reference_form(text)
        if reference:
            condition |= Q(source_ref=reference)
            if reference.isdigit() and len(reference) <= 18:
                condition |= Q(pk=int(reference))
        return with_search_text(self, INCIDENT_SEARCH_FIELDS).filter(condition)

    def unplaced(self) -> IncidentQuerySet:
        """Incidents given by an address that matched no known town: they wait for a place on the map."""
        return self.filter(address_unplaced=True)

    def with_response(self) -> IncidentQuerySet:
        """110 calls (live or imported history) with a measured response: a unit arrived.

        Incidents an officer found on patrol or that were reported at the counter have no response
        to measure; counting them would flatter the figure the national 110 average is compared with.
        """
        return self.filter(arrived_at__isnull=False, source__in=[Source.CALL_110, Source.IMPORTED])


class Incident(models.Model):
    """One call or report about something at a place and time, and what the police did about it.

    The response time is received → arrived (the national 110 figure is measured the same way).
    ``dispatched_at``/``arrived_at`` are the first unit's times; each unit's own times are in
    ``Dispatch``. Timestamps can never run backwards: the database refuses it as well as the forms.
    """

    # The description holds what the caller said, often with names and phone numbers; the caller's name
    # and phone are shown masked to whoever does not act on the incident (``caller_details``).
    PERSONAL_FIELDS = ("description", "caller_name", "caller_phone")

    # Each index slows bulk imports; single-column indexes are kept only where a query or a cascade
    # needs them (box and station are covered by the (…, received_at) indexes in Meta).
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="incidents", db_index=False
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.CALL_110)
    category = models.ForeignKey(
        IncidentCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="incidents",
        db_index=False,
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    description = models.TextField(_("description"), blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_unplaced = models.BooleanField(
        _("address not placed"),
        default=False,
        db_default=False,  # the importer's COPY leaves new columns out
        help_text=_("Given by address only, and the address matches no known town: place it on the map."),
    )
    caller_name = models.CharField(_("caller's name"), max_length=100, blank=True, default="", db_default="")
    caller_phone = models.CharField(_("caller's phone"), max_length=30, blank=True, default="", db_default="")
    caller_relation = models.CharField(
        _("caller's relation"),
        max_length=20,
        choices=CallerRelation.choices,
        blank=True,
        default="",
        db_default="",
    )

    beat = models.ForeignKey(
        Beat, verbose_name=_("beat"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    box = models.ForeignKey(
        PoliceBox,
        verbose_name=_("police box"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        db_index=False,
    )
    station = models.ForeignKey(
        PoliceStation,
        verbose_name=_("police station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        db_index=False,
    )
    location_source = models.CharField(
        _("location from"),
        max_length=10,
        choices=LocationSource.choices,
        blank=True,
        help_text=_("Where the point comes from: given with the record, or the middle of its area."),
    )
    outside_jurisdiction = models.BooleanField(
        _("outside jurisdiction"),
        default=False,
        help_text=_("The location lies in no active beat; the incident is kept for review."),
    )

    received_at = models.DateTimeField(_("received at"), db_index=True)
    # Historical records give the hour only when known; midnight then stands for "some time that day".
    time_approximate = models.BooleanField(_("time approximate"), default=False)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    # Unique among the incidents that have one (a partial index: imported rows carry none).
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    # The box named by the source (police open data give the 管轄交番・駐在所 of each record), kept
    # as text to compare with the box found from the point.
    source_box_label = models.CharField(_("box named by the source"), max_length=200, blank=True)
    # A digest of the source row (its fields, and which repeat of identical rows it is): a row seen
    # again, in the same file or in a copy with added columns, is reported instead of stored twice.
    row_fingerprint = models.CharField(_("row fingerprint"), max_length=64, blank=True)
    import_batch = models.ForeignKey(
        IncidentImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="incidents",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["box", "received_at"]),
            models.Index(fields=["station", "received_at"]),
            # Only open incidents are looked up by status; closed history stays out of the index.
            models.Index(
                fields=["status"],
                condition=Q(status__in=["received", "dispatched", "on_scene"]),
                name="incident_open_status",
            ),
            models.Index(
                fields=["created_by"], condition=Q(created_by__isnull=False), name="incident_taken_by"
            ),
            # The few address-only incidents waiting for a place, looked up by the list's filter.
            models.Index(fields=["agency"], condition=Q(address_unplaced=True), name="incident_unplaced"),
            models.Index(
                fields=["agency", "row_fingerprint"],
                condition=~Q(row_fingerprint=""),
                name="incident_row_fingerprint",
            ),
            grams_index("incident_search_grams", *INCIDENT_SEARCH_FIELDS),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="incident_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(dispatched_at__isnull=True) | Q(dispatched_at__gte=F("received_at")),
                name="incident_dispatch_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("received_at")),
                name="incident_arrival_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True)
                | Q(dispatched_at__isnull=True)
                | Q(arrived_at__gte=F("dispatched_at")),
                name="incident_arrival_after_dispatch",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | Q(cleared_at__gte=F("received_at")),
                name="incident_clear_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=4), name="incident_priority_range"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category} {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in {Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE}

    @property
    def label_agrees(self) -> bool | None:
        """Whether the box the source names (police open data) is the box the incident was placed in.

        None when there is no label or no box to compare.
        """
        named = label_key(self.source_box_label)
        if named is None or self.box is None:
            return None
        station = self.station.name if self.station is not None else self.box.station.name
        return named == box_key(station, self.box.name)

    @property
    def response_seconds(self) -> float | None:
        if self.arrived_at is None:
            return None
        return (self.arrived_at - self.received_at).total_seconds()


class IncidentEvent(models.Model):
    """One line of an incident's history: who changed its status (or noted something), and when."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.action} {self.from_status}→{self.to_status}"


class Dispatch(models.Model):
    """Officers of one box (on foot or bicycle, or as the crew of one of its patrol cars) sent to an
    incident, with their own dispatch and arrival times."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="dispatches"
    )
    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="dispatches"
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers"), blank=True, related_name="dispatches"
    )
    # The patrol car sent, when the officers went as its crew (None: officers from the box).
    unit = models.ForeignKey(
        PatrolCar,
        verbose_name=_("patrol car"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    distance_m = models.FloatField(_("travel distance (m)"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["dispatched_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("dispatched_at")),
                name="dispatch_arrival_after_dispatch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.box} → #{self.incident_id}"
