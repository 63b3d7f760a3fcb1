"""Area alerts in the structure of CAP 1.2 (OASIS Common Alerting Protocol), their subscribers and deliveries.

An ``Alert`` is the CAP ``<alert>`` envelope (identifier, sender, sent, status, msgType, scope); it holds one
``AlertInfo`` per language (``<info>``: category, event, urgency, severity, certainty and the texts) and its
``AlertArea`` rows (``<area>``: areaDesc with polygons and circles, kept as CAP text and as a PostGIS geometry
for targeting). Police drafts are approved by a station role before release; an update or a cancellation is a
new alert whose ``references`` point to the original.

A ``Subscription`` is one channel (an e-mail address or a webhook of a partner system) with the areas, the
categories and the language its owner chose; ``Delivery`` records each (alert, subscription, channel) once,
before anything is sent, so that retries and restarted workers never send twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from koban.geography.models import AdminArea, Beat
from koban.organization.models import Agency, PoliceBox, PoliceStation


class Status(models.TextChoices):
    """CAP ``status``: who the message is for."""

    ACTUAL = "Actual", _("Actual")
    EXERCISE = "Exercise", _("Exercise")
    SYSTEM = "System", _("System")
    TEST = "Test", _("Test")
    DRAFT = "Draft", _("Draft")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel")


class Scope(models.TextChoices):
    PUBLIC = "Public", _("Public")
    RESTRICTED = "Restricted", _("Restricted")


class Category(models.TextChoices):
    """CAP ``category`` values (the ones a police or municipal alert uses come first)."""

    SECURITY = "Security", _("Security (crime prevention)")
    SAFETY = "Safety", _("Safety")
    RESCUE = "Rescue", _("Rescue")
    GEO = "Geo", _("Geophysical")
    MET = "Met", _("Meteorological")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Health")
    ENV = "Env", _("Environmental")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Infrastructure")
    CBRNE = "CBRNE", _("CBRNE")
    OTHER = "Other", _("Other")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected")
    FUTURE = "Future", _("Future")
    PAST = "Past", _("Past")
    UNKNOWN = "Unknown", _("Unknown")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class AlertQuerySet(models.QuerySet["Alert"]):
    def released(self) -> AlertQuerySet:
        return self.filter(state=Alert.State.RELEASED)

    def public(self) -> AlertQuerySet:
        """What anyone may read: released public alerts that are real (not tests or exercises)."""
        return self.released().filter(scope=Scope.PUBLIC, status=Status.ACTUAL)

    def covering(self, geom: models.GeometryField) -> AlertQuerySet:
        return self.filter(geom__intersects=geom)

    def with_texts(self) -> AlertQuerySet:
        return self.select_related("station", "box", "agency", "references").prefetch_related(
            "infos", "areas"
        )


class Alert(models.Model):
    """One CAP message: a new alert, an update or a cancellation of an earlier one."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft (waiting for approval)")
        RELEASED = "released", _("Released")
        REJECTED = "rejected", _("Rejected")

    class Origin(models.TextChoices):
        DRAFTED = "drafted", _("Drafted here")
        IMPORTED = "imported", _("Received from a partner (CAP)")

    class FormKind(models.TextChoices):
        SUSPICIOUS_PERSON = "suspicious_person", _("Suspicious person")
        FRAUD_CALL = "fraud_call", _("Fraud call")
        CRIME_PREVENTION = "crime_prevention", _("Crime prevention")

    identifier = models.CharField(_("identifier"), max_length=200, unique=True)
    sender = models.CharField(_("sender"), max_length=200)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTUAL)
    msg_type = models.CharField(_("message type"), max_length=10, choices=MsgType.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.PUBLIC)
    restriction = models.CharField(_("restriction"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    references = models.ForeignKey(
        "self",
        verbose_name=_("references"),
        null=True,
        blank=True,
        # Alerts are never deleted in use; removing the demo removes an original with its follow-ups.
        on_delete=models.CASCADE,
        related_name="followers",
    )
    # The CAP ``references`` text of an imported message ("sender,identifier,sent ..."), kept as received.
    references_text = models.TextField(_("references (as received)"), blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        PoliceStation, verbose_name=_("police station"), on_delete=models.PROTECT, related_name="alerts"
    )
    box = models.ForeignKey(
        PoliceBox,
        verbose_name=_("police box"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.DRAFTED)
    form_kind = models.CharField(_("form"), max_length=20, choices=FormKind.choices, blank=True)
    form_data = models.JSONField(_("form answers"), default=dict, blank=True)
    # Union of the areas: what targeting intersects with the subscribers' areas.
    geom = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), default=0)
    large_area_confirmed = models.BooleanField(_("large area confirmed"), default=False)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("drafted at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    cap_xml = models.TextField(_("CAP XML"), blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-drafted_at", "-pk"]
        indexes = [models.Index(fields=["state", "sent"], name="alert_state_sent")]

    def __str__(self) -> str:
        return self.identifier

    def info_in(self, language: str) -> AlertInfo | None:
        """The info block in *language*, else the first one (CAP allows any number)."""
        infos = list(self.infos.all())
        for info in infos:
            if info.language.split("-")[0] == language.split("-")[0]:
                return info
        return infos[0] if infos else None

    @property
    def is_urgent(self) -> bool:
        return any(info.urgency == Urgency.IMMEDIATE for info in self.infos.all())

    @property
    def categories(self) -> list[str]:
        return sorted({info.category for info in self.infos.all()})


class AlertInfo(models.Model):
    """CAP ``<info>``: what happened and what to do, in one language."""

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="infos")
    language = models.CharField(_("language"), max_length=10, default="ja-JP")
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    event = models.CharField(_("event"), max_length=200)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    headline = models.CharField(_("headline"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    web = models.URLField(_("web"), max_length=500, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert text")
        verbose_name_plural = _("alert texts")
        ordering = ["alert", "pk"]

    def __str__(self) -> str:
        return f"{self.alert} [{self.language}]"


class AlertArea(models.Model):
    """CAP ``<area>``: a described area with its polygons and circles, as given and as one geometry."""

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="areas")
    area_desc = models.CharField(_("area description"), max_length=300)
    # CAP text: one "lat,lon lat,lon ..." per polygon and one "lat,lon radius_km" per circle.
    polygons = ArrayField(models.TextField(), verbose_name=_("polygons"), default=list, blank=True)
    circles = ArrayField(models.CharField(max_length=80), verbose_name=_("circles"), default=list, blank=True)
    geom = models.MultiPolygonField(_("area"), srid=4326)

    class Meta:
        verbose_name = _("alert area")
        verbose_name_plural = _("alert areas")
        ordering = ["alert", "pk"]

    def __str__(self) -> str:
        return self.area_desc


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def active(self) -> SubscriptionQuerySet:
        """Subscriptions that receive alerts: confirmed, not unsubscribed, not bounced or disabled."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True, disabled_at__isnull=True)

    def targeted_by(self, alert: Alert) -> SubscriptionQuerySet:
        """Active subscriptions whose areas intersect the alert's and that chose one of its categories."""
        if alert.geom is None:
            return self.none()
        return (
            self.active()
            .filter(geom__intersects=alert.geom)
            .filter(Q(categories=[]) | Q(categories__overlap=alert.categories))
        )


class Subscription(models.Model):
    """One resident's or partner system's wish to receive alerts for some areas by one channel.

    ``geom`` is the union of the chosen areas (drawn polygons, boxes' beats, municipalities), kept on the row
    with a GiST index so that choosing the recipients of an alert is one spatial query.
    """

    PERSONAL_FIELDS = ("email",)

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    email = models.EmailField(_("e-mail address"), blank=True)
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="ja")
    categories = ArrayField(
        models.CharField(max_length=10, choices=Category.choices),
        verbose_name=_("categories"),
        default=list,
        blank=True,
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    geom = models.MultiPolygonField(_("areas"), srid=4326)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_subscriptions",
    )
    created_at = models.DateTimeField(_("created at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("reason disabled"), max_length=300, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["email"], name="alert_subscription_email")]

    def __str__(self) -> str:
        return self.email or self.webhook_url

    def in_quiet_hours(self, moment: datetime.time) -> bool:
        """Whether *moment* (local time of day) falls in this subscriber's quiet hours (may span midnight)."""
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end


class SubscriptionArea(models.Model):
    """One area a subscriber chose: drawn on the map, a box's beat or a municipality."""

    class Kind(models.TextChoices):
        DRAWN = "drawn", _("Drawn on the map")
        BEAT = "beat", _("A police box's beat")
        MUNICIPALITY = "municipality", _("A municipality")

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="areas"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    beat = models.ForeignKey(Beat, verbose_name=_("beat"), null=True, blank=True, on_delete=models.SET_NULL)
    admin_area = models.ForeignKey(
        AdminArea, verbose_name=_("municipality"), null=True, blank=True, on_delete=models.SET_NULL
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    geom = models.MultiPolygonField(_("area"), srid=4326)

    class Meta:
        verbose_name = _("subscription area")
        verbose_name_plural = _("subscription areas")
        ordering = ["subscription", "pk"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def progress(self, alert: Alert) -> dict[str, int]:
        """How many deliveries of *alert* are in each state (one aggregate query)."""
        rows = self.filter(alert=alert).values("state").annotate(n=Count("pk"))
        counts = dict.fromkeys(Delivery.State.values, 0)
        counts.update({row["state"]: row["n"] for row in rows})
        return counts


class Delivery(models.Model):
    """One message of one alert to one subscription by one channel, recorded before it is sent.

    ``pending`` rows wait (``not_before`` holds quiet hours and retries); a worker claims a row by setting
    ``sending`` and committing before it hands the message over, and marks it ``sent`` right after.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed for good")
        BOUNCED = "bounced", _("Bounced")

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["alert", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "subscription", "channel"],
                name="one_delivery_per_alert_subscription_channel",
            )
        ]
        indexes = [models.Index(fields=["alert", "state"], name="delivery_alert_state")]

    def __str__(self) -> str:
        return f"{self.alert} → {self.subscription_id} ({self.channel})"
