"""Volunteer crime-prevention groups (防犯ボランティア団体), their members, blue-light patrol
certification (青色防犯パトロール) and the patrols and watches they record.

The national survey counts a group when it is active at least monthly and has five or more members
(``VolunteerGroupQuerySet.counted``). A group belongs to one station (and usually one box) of an agency.
Members are personal data (names, phones); a member with a login (the volunteer role) is linked here
through ``VolunteerMember.user``; the accounts app knows nothing of groups.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from koban.organization.models import Agency, PoliceBox, PoliceStation

# The survey's rule: a group counts when it is active at least monthly and has 5 or more members.
SURVEY_MIN_MEMBERS = 5
SURVEY_MIN_DAYS_PER_MONTH = 1


class ActivityType(models.TextChoices):
    FOOT_PATROL = "foot_patrol", _("Foot patrol")
    SCHOOL_ROUTE = "school_route", _("School-route watch")
    BLUE_LIGHT = "blue_light", _("Blue-light vehicle patrol")
    BICYCLE_PATROL = "bicycle_patrol", _("Bicycle patrol")
    DOG_WALK = "dog_walk", _("Patrol while walking a dog")
    STANDING_WATCH = "standing_watch", _("Standing watch")
    CAMPAIGN = "campaign", _("Crime-prevention campaign")
    GRAFFITI = "graffiti", _("Graffiti removal and clean-up")


class Composition(models.TextChoices):
    """Who makes up the group (the survey's breakdown)."""

    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood association")
    PARENTS = "parents", _("Parents (PTA)")
    SENIORS = "seniors", _("Seniors' club")
    BUSINESSES = "businesses", _("Businesses and shops")
    STUDENTS = "students", _("Students")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_20 = "under_20", _("Under 20")
    AGE_20S = "20s", _("20–29")
    AGE_30S = "30s", _("30–39")
    AGE_40S = "40s", _("40–49")
    AGE_50S = "50s", _("50–59")
    AGE_60S = "60s", _("60–69")
    AGE_70_PLUS = "70_plus", _("70 and over")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")


def _active_on(day: datetime.date, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}))


class VolunteerGroupQuerySet(models.QuerySet["VolunteerGroup"]):
    def of_stations(self, stations: models.QuerySet[PoliceStation]) -> VolunteerGroupQuerySet:
        return self.filter(station__in=stations)

    def existing_on(self, day: datetime.date) -> VolunteerGroupQuerySet:
        """Groups founded on or before *day* and not dissolved by then."""
        return self.filter(_active_on(day, "founded_on", "dissolved_on"))

    def with_member_count(self, day: datetime.date) -> VolunteerGroupQuerySet:
        """Annotate ``member_count``: members who had joined and not left on *day*.

        A correlated subquery rather than a join, so that the count can be filtered and aggregated
        again (size bands, sums) in the same statement.
        """
        members = (
            VolunteerMember.objects.current_on(day)
            .filter(group=OuterRef("pk"))
            .order_by()
            .values("group")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(member_count=Coalesce(Subquery(members), 0))

    def counted(self, day: datetime.date) -> VolunteerGroupQuerySet:
        """The groups the national survey counts on *day*: existing, active at least monthly, 5+ members."""
        return (
            self.existing_on(day)
            .filter(days_per_month__gte=SURVEY_MIN_DAYS_PER_MONTH)
            .with_member_count(day)
            .filter(member_count__gte=SURVEY_MIN_MEMBERS)  # type: ignore[misc]  # annotated above
        )


class VolunteerGroup(models.Model):
    """A volunteer crime-prevention group registered with a police station."""

    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        Agency, verbose_name=_("police agency"), on_delete=models.PROTECT, related_name="volunteer_groups"
    )
    station = models.ForeignKey(
        PoliceStation,
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="volunteer_groups",
    )
    box = models.ForeignKey(
        PoliceBox,
        verbose_name=_("police box"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_groups",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_groups",
    )
    composition = models.CharField(
        _("composition"), max_length=20, choices=Composition.choices, default=Composition.NEIGHBOURHOOD
    )
    activities = ArrayField(
        models.CharField(max_length=20, choices=ActivityType.choices),
        verbose_name=_("activity types"),
        default=list,
        blank=True,
    )
    area = models.MultiPolygonField(_("area of activity"), srid=4326, null=True, blank=True)
    days_per_month = models.PositiveSmallIntegerField(_("active days per month"), default=0)
    schedule = models.CharField(_("schedule"), max_length=300, blank=True)
    at_night = models.BooleanField(_("active at night"), default=False)
    founded_on = models.DateField(_("founded on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    objects = VolunteerGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer group")
        verbose_name_plural = _("volunteer groups")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["station", "founded_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def activity_labels(self) -> list[str]:
        labels = dict(ActivityType.choices)
        return [str(labels.get(code, code)) for code in self.activities]


class VolunteerMemberQuerySet(models.QuerySet["VolunteerMember"]):
    def current_on(self, day: datetime.date) -> VolunteerMemberQuerySet:
        return self.filter(_active_on(day, "joined_on", "left_on"))


class VolunteerMember(models.Model):
    """A member of a volunteer group (personal data: name and phone)."""

    PERSONAL_FIELDS = ("name", "phone")

    group = models.ForeignKey(
        VolunteerGroup, verbose_name=_("volunteer group"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    role = models.CharField(
        _("role in the group"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_member",
    )

    objects = VolunteerMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["group", "name", "id"]
        indexes = [models.Index(fields=["group", "joined_on"])]

    def __str__(self) -> str:
        return self.name


# -- Blue-light patrols (青色防犯パトロール) ----------------------------------------------------------------
# The prefectural police chief certifies a group; its patrollers must have completed the training and its
# vehicles must be registered. A blue-light patrol by anyone or anything else is refused.


class CertificationQuerySet(models.QuerySet["BlueLightCertification"]):
    def valid_on(self, day: datetime.date) -> CertificationQuerySet:
        return self.filter(certified_on__lte=day, expires_on__gte=day, revoked_on__isnull=True)

    def expiring_between(self, start: datetime.date, end: datetime.date) -> CertificationQuerySet:
        return self.filter(revoked_on__isnull=True, expires_on__gte=start, expires_on__lte=end)


class BlueLightCertification(models.Model):
    """The certificate that allows a group to patrol with a blue rotating light."""

    group = models.ForeignKey(
        VolunteerGroup,
        verbose_name=_("volunteer group"),
        on_delete=models.CASCADE,
        related_name="certifications",
    )
    number = models.CharField(_("certificate number"), max_length=40)
    certified_on = models.DateField(_("certified on"))
    expires_on = models.DateField(_("expires on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("blue-light certification")
        verbose_name_plural = _("blue-light certifications")
        ordering = ["-certified_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("certified_on")),
                name="certification_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return self.number


class PatrollerQuerySet(models.QuerySet["CertifiedPatroller"]):
    def valid_on(self, day: datetime.date) -> PatrollerQuerySet:
        return self.filter(trained_on__lte=day, expires_on__gte=day)

    def expiring_between(self, start: datetime.date, end: datetime.date) -> PatrollerQuerySet:
        return self.filter(expires_on__gte=start, expires_on__lte=end)


class CertifiedPatroller(models.Model):
    """A member who completed the blue-light patrol training; the patroller card expires."""

    member = models.ForeignKey(
        VolunteerMember, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="patroller_cards"
    )
    card_number = models.CharField(_("patroller card number"), max_length=40)
    trained_on = models.DateField(_("trained on"))
    expires_on = models.DateField(_("expires on"))

    objects = PatrollerQuerySet.as_manager()

    class Meta:
        verbose_name = _("certified patroller")
        verbose_name_plural = _("certified patrollers")
        ordering = ["-expires_on", "-id"]

    def __str__(self) -> str:
        return self.card_number


class VehicleQuerySet(models.QuerySet["PatrolVehicle"]):
    def valid_on(self, day: datetime.date) -> VehicleQuerySet:
        return self.filter(registered_on__lte=day, expires_on__gte=day)

    def expiring_between(self, start: datetime.date, end: datetime.date) -> VehicleQuerySet:
        return self.filter(expires_on__gte=start, expires_on__lte=end)


class PatrolVehicle(models.Model):
    """A vehicle registered for blue-light patrols of a group (it shows the group's name)."""

    group = models.ForeignKey(
        VolunteerGroup, verbose_name=_("volunteer group"), on_delete=models.CASCADE, related_name="vehicles"
    )
    plate = models.CharField(_("number plate"), max_length=40)
    description = models.CharField(_("vehicle"), max_length=100, blank=True)
    registered_on = models.DateField(_("registered on"))
    expires_on = models.DateField(_("registration expires on"))

    objects = VehicleQuerySet.as_manager()

    class Meta:
        verbose_name = _("blue-light vehicle")
        verbose_name_plural = _("blue-light vehicles")
        ordering = ["plate", "id"]

    def __str__(self) -> str:
        return self.plate


# -- Volunteer activity ----------------------------------------------------------------------------------


class ActivityQuerySet(models.QuerySet["VolunteerActivity"]):
    def between(self, start: datetime.datetime, end: datetime.datetime) -> ActivityQuerySet:
        return self.filter(started_at__lt=end, ended_at__gt=start)

    def in_area(self, area: object) -> ActivityQuerySet:
        """Activities whose route crosses *area*, or, without a route, whose group's box lies in it."""
        return self.filter(
            Q(route__intersects=area) | Q(route__isnull=True, group__box__location__within=area)
        )


class VolunteerActivity(models.Model):
    """A patrol or watch recorded by a volunteer group: when, where (route), who, what was seen."""

    class Source(models.TextChoices):
        GPX = "gpx", _("GPS track (GPX)")
        GEOJSON = "geojson", _("GPS track (GeoJSON)")
        DRAWN = "drawn", _("Drawn on the map")
        NONE = "none", _("No route")

    group = models.ForeignKey(
        VolunteerGroup, verbose_name=_("volunteer group"), on_delete=models.CASCADE, related_name="activity"
    )
    kind = models.CharField(_("activity type"), max_length=20, choices=ActivityType.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    route = models.MultiLineStringField(_("route"), srid=4326, null=True, blank=True)
    source = models.CharField(_("route source"), max_length=10, choices=Source.choices, default=Source.NONE)
    distance_m = models.FloatField(_("distance (m)"), default=0)
    participants = models.ManyToManyField(
        VolunteerMember, verbose_name=_("participants"), related_name="activity"
    )
    vehicle = models.ForeignKey(
        PatrolVehicle,
        verbose_name=_("vehicle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    joint_box = models.ForeignKey(
        PoliceBox,
        verbose_name=_("joint patrol with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_volunteer_activity",
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activity")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="volunteer_activity_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.started_at:%Y-%m-%d %H:%M}"


class ActivityObservation(models.Model):
    """Something seen on a volunteer patrol: a hazard, a suspicious person; may be sent to the box as a tip."""

    # A note may describe a suspicious person.
    PERSONAL_FIELDS = ("note",)

    class Kind(models.TextChoices):
        HAZARD = "hazard", _("Hazard")
        SUSPICIOUS = "suspicious_person", _("Suspicious person")
        OTHER = "other", _("Other")

    activity = models.ForeignKey(
        VolunteerActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="observations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    point = models.PointField(_("place"), srid=4326, null=True, blank=True)
    observed_at = models.DateTimeField(_("observed at"))
    note = models.TextField(_("note"))
    forwarded_at = models.DateTimeField(_("sent to the box at"), null=True, blank=True)
    forwarded_request_id = models.BigIntegerField(_("request at the box"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer observation")
        verbose_name_plural = _("volunteer observations")
        ordering = ["observed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.observed_at:%Y-%m-%d %H:%M}"
