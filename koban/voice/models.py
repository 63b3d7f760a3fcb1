"""Residents' requests, opinions and tips, and the action items a box makes of them.

A request (要望・意見・情報提供) is anything a resident asks of or tells the box: a dark street, speeding, a
suspicious person seen, noise, a wish for more patrols, praise or a complaint. It arrives from the public
form, an Open311 GeoReport v2 client, a household visit (巡回連絡), a liaison council meeting, a volunteer
or an officer, and always lands in the queue of the box whose current beat holds its point. The box moves
it through its states (received → under review → action planned → done, or will not act with a reason)
and may turn it into action items: a patrol focus on a street for some weeks, a talk with the road
authority, a visit.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.utils.translation import gettext_lazy as _

from koban.geography.models import Beat
from koban.lib.labels import pick_label
from koban.organization.models import Agency, PoliceBox

# Same-category requests closer than this, and newer than the window, are offered as possible duplicates.
DUPLICATE_RADIUS_M = 50
DUPLICATE_WINDOW = dt.timedelta(days=30)


class CategoryQuerySet(models.QuerySet["RequestCategory"]):
    def active(self) -> CategoryQuerySet:
        return self.filter(active=True)


class RequestCategory(models.Model):
    """A kind of request (an Open311 *service*), configured per deployment.

    ``sensitive`` marks kinds whose exact place must not be published (a suspicious person seen near a
    home, a domestic noise complaint): public views blur their points to a grid cell. ``attributes`` are
    the Open311 service attributes, a list of ``{"code", "datatype", "required", "description",
    "order", "values": [{"key", "name"}]}`` (datatypes: string, number, datetime, text,
    singlevaluelist, multivaluelist); descriptions and value names are text or ``{"ja": …, "en": …}``.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    labels = models.JSONField(_("names by language"), default=dict)
    descriptions = models.JSONField(_("descriptions by language"), default=dict, blank=True)
    group = models.CharField(_("group"), max_length=80, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    attributes = models.JSONField(_("Open311 attributes"), default=list, blank=True)
    sensitive = models.BooleanField(
        _("sensitive place"), default=False, help_text=_("Public views show only an approximate location.")
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, self.code, language)

    def description(self, language: str | None = None) -> str:
        return pick_label(self.descriptions, "", language)


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    ACTION_PLANNED = "action_planned", _("Action planned")
    DONE = "done", _("Done")
    WILL_NOT_ACT = "will_not_act", _("Will not act")


OPEN_STATES = (Status.RECEIVED, Status.UNDER_REVIEW, Status.ACTION_PLANNED)
CLOSED_STATES = (Status.DONE, Status.WILL_NOT_ACT)


class Source(models.TextChoices):
    PUBLIC = "public", _("Public form")
    OPEN311 = "open311", _("Open311 client")
    VISIT = "visit", _("Household visit")
    COUNCIL = "council", _("Liaison council")
    VOLUNTEER = "volunteer", _("Volunteer")
    OFFICER = "officer", _("Officer")


class Moderation(models.TextChoices):
    """Whether the resident's own words may be shown publicly (the outcome is public either way)."""

    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Approved for the public view")
    REJECTED = "rejected", _("Not shown publicly")


class RequestQuerySet(models.QuerySet["Request"]):
    def open(self) -> RequestQuerySet:
        return self.filter(status__in=OPEN_STATES)

    def closed(self) -> RequestQuerySet:
        return self.filter(status__in=CLOSED_STATES)

    def of_box(self, box: PoliceBox | int) -> RequestQuerySet:
        return self.filter(box=box)

    def with_related(self) -> RequestQuerySet:
        return self.select_related("box", "box__station", "category", "agency")

    def awaiting_moderation(self) -> RequestQuerySet:
        return self.filter(moderation=Moderation.PENDING)

    def public(self) -> RequestQuerySet:
        """Requests whose outcome may be listed publicly (Open311 lists, the box's public page)."""
        return self.exclude(moderation=Moderation.REJECTED)

    def near_duplicates(
        self, category: RequestCategory | int, point: Point, when: dt.datetime
    ) -> RequestQuerySet:
        """Same-category requests within 50 m of *point* made in the 30 days before *when* (newest first)."""
        return self.filter(
            category=category,
            point__distance_lte=(point, D(m=DUPLICATE_RADIUS_M)),
            requested_at__gte=when - DUPLICATE_WINDOW,
            requested_at__lte=when,
        ).order_by("-requested_at")

    def requested_between(self, start: dt.datetime | None, end: dt.datetime | None) -> RequestQuerySet:
        found = self
        if start is not None:
            found = found.filter(requested_at__gte=start)
        if end is not None:
            found = found.filter(requested_at__lte=end)
        return found


class Request(models.Model):
    """One request, opinion or tip from a resident, in the queue of the box whose beat holds its point."""

    # Personal data: shown only to the box and its chief; reading it leaves a read row in the trail.
    PERSONAL_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="voice_requests"
    )
    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="voice_requests"
    )
    beat = models.ForeignKey(
        Beat,
        verbose_name=_("beat"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voice_requests",
    )
    point = models.PointField(_("place"), srid=4326, null=True, blank=True)
    address = models.CharField(_("address or landmark"), max_length=300, blank=True)
    category = models.ForeignKey(
        RequestCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="requests"
    )
    description = models.TextField(_("description"))
    attributes = models.JSONField(_("answers to the category's questions"), default=dict, blank=True)
    media_url = models.URLField(_("photo or media URL"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_note = models.TextField(
        _("note to the reporter"), blank=True, help_text=_("Shown publicly with the status.")
    )
    will_not_act_reason = models.TextField(_("reason for not acting"), blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=12, choices=Moderation.choices, default=Moderation.PENDING
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("Where it was raised: a visit, a meeting …")
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), max_length=254, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    hide_name = models.BooleanField(_("hide the name in public views"), default=True)
    # The language the reporter wrote in: status e-mails are sent in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    token = models.UUIDField(_("public token"), default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("seen or happened at"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    updated_at = models.DateTimeField(_("updated at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["box", "status"]), models.Index(fields=["requested_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def public_name(self) -> str:
        """The reporter's name as the public may see it: empty when hidden or not given."""
        return "" if self.hide_name else self.reporter_name


class ActionKind(models.TextChoices):
    PATROL_FOCUS = "patrol_focus", _("Patrol focus")
    ROAD_AUTHORITY = "road_authority", _("Talk with the road authority")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        return self.filter(done_at__isnull=True)

    def of_box(self, box: PoliceBox | int) -> ActionQuerySet:
        return self.filter(box=box)

    def due_by(self, day: dt.date) -> ActionQuerySet:
        """Open actions due on or before *day* (overdue included), earliest first."""
        return self.open().filter(due_on__lte=day).order_by("due_on", "id")

    def patrol_focus_on(self, day: dt.date) -> ActionQuerySet:
        """Patrol-focus items in force on *day* (for patrol planning): started, not past their weeks."""
        focus = self.filter(kind=ActionKind.PATROL_FOCUS, starts_on__lte=day, ends_on__gte=day)
        return focus.filter(done_at__isnull=True)

    def with_related(self) -> ActionQuerySet:
        return self.select_related("box", "box__station", "owner")


class Action(models.Model):
    """An action item of a box, made from one or more requests: what will be done, by whom, by when."""

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="voice_actions"
    )
    requests = models.ManyToManyField(Request, verbose_name=_("requests"), related_name="actions", blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    title = models.CharField(_("what will be done"), max_length=200)
    geom = models.GeometryField(_("street or area"), srid=4326, null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(_("weeks"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voice_actions",
    )
    due_on = models.DateField(_("due on"))
    result = models.TextField(_("result"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title
