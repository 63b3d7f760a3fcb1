"""Liaison councils (交番・駐在所連絡協議会): one per box, its members, meetings and the opinions raised.

The station chief appoints residents, neighbourhood associations, schools and shops for two-year terms;
the council meets at least once a year with the box's officers. What members say at a meeting is kept
as opinions; each one goes into the residents' voice queue as a request (source "council"), and the next
meeting hears what was done about it (the "report back").
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from koban.organization.models import PoliceBox
from koban.voice.models import Request, RequestCategory

TERM_YEARS = 2


def term_end_for(start: dt.date) -> dt.date:
    """The last day of a two-year term starting on *start* (29 February ends on 28 February)."""
    try:
        end = start.replace(year=start.year + TERM_YEARS)
    except ValueError:
        end = start.replace(year=start.year + TERM_YEARS, day=28)
    return end - dt.timedelta(days=1)


class CouncilQuerySet(models.QuerySet["Council"]):
    def of_boxes(self, boxes: models.QuerySet[PoliceBox]) -> CouncilQuerySet:
        return self.filter(box__in=boxes)

    def with_box(self) -> CouncilQuerySet:
        return self.select_related("box", "box__station")


class Council(models.Model):
    """The liaison council of one police box (one per box)."""

    box = models.OneToOneField(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="council"
    )
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CouncilQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison council")
        verbose_name_plural = _("liaison councils")
        ordering = ["box__station__code", "box__code"]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ASSOCIATION = "association", _("Neighbourhood association")
    SCHOOL = "school", _("School")
    SHOP = "shop", _("Shop or business")
    OTHER = "other", _("Other organisation")


class MemberQuerySet(models.QuerySet["CouncilMember"]):
    def serving_on(self, day: dt.date) -> MemberQuerySet:
        """Members whose term covers *day* and who have not left."""
        return self.filter(term_start__lte=day, term_end__gte=day).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=day)
        )

    def terms_ending(self, day: dt.date, within_days: int) -> MemberQuerySet:
        """Serving members whose term ends within *within_days* days of *day* (renewal due)."""
        return self.serving_on(day).filter(term_end__lte=day + dt.timedelta(days=within_days))

    def with_council(self) -> MemberQuerySet:
        return self.select_related("council", "council__box", "council__box__station")


class CouncilMember(models.Model):
    """A person appointed to a council for a term, for themselves or for an organisation.

    The name and contact are personal data: shown to the box's staff, its chief and HQ, read-audited.
    A renewal is a new row for the next term (the old row keeps its dates), so the history of terms stays.
    """

    PERSONAL_FIELDS = ("name", "contact")

    council = models.ForeignKey(
        Council, verbose_name=_("liaison council"), on_delete=models.CASCADE, related_name="members"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices, default=MemberKind.RESIDENT)
    name = models.CharField(_("name"), max_length=200)
    organization = models.CharField(_("organisation"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    is_chair = models.BooleanField(_("chair"), default=False)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    renewed_from = models.OneToOneField(
        "self",
        verbose_name=_("renewal of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "-is_chair", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")), name="council_term_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})" if self.organization else self.name

    def serves_on(self, day: dt.date) -> bool:
        return self.term_start <= day <= self.term_end and (self.left_on is None or self.left_on > day)


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def with_council(self) -> MeetingQuerySet:
        return self.select_related("council", "council__box", "council__box__station")

    def held(self) -> MeetingQuerySet:
        return self.filter(status=Meeting.Status.HELD)

    def planned_from(self, day: dt.date) -> MeetingQuerySet:
        return self.filter(status=Meeting.Status.PLANNED, held_on__gte=day).order_by("held_on")


class Meeting(models.Model):
    """One meeting of a council: planned with an agenda, then held with attendance and minutes."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    council = models.ForeignKey(
        Council, verbose_name=_("liaison council"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(
        CouncilMember, verbose_name=_("members present"), blank=True, related_name="meetings_attended"
    )
    other_attendees = models.PositiveSmallIntegerField(_("other attendees (police, guests)"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["council", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.council} {self.held_on:%Y-%m-%d}"

    def previous(self) -> Meeting | None:
        """The council's last held meeting before this one: whose opinions this one hears back on."""
        return (
            Meeting.objects.filter(council_id=self.council_id, status=Meeting.Status.HELD)
            .filter(Q(held_on__lt=self.held_on) | Q(held_on=self.held_on, pk__lt=self.pk))
            .order_by("-held_on", "-id")
            .first()
        )


class OpinionQuerySet(models.QuerySet["Opinion"]):
    def of_councils(self, councils: models.QuerySet[Council]) -> OpinionQuerySet:
        return self.filter(meeting__council__in=councils)

    def with_meeting(self) -> OpinionQuerySet:
        return self.select_related(
            "meeting", "meeting__council", "meeting__council__box", "raised_by", "category", "request"
        )


class Opinion(models.Model):
    """An opinion or request raised at a meeting, with the voice request it became.

    The category is one of the residents' voice categories; the request carries the status and the
    actions, so the report back at the next meeting reads them from there.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="opinions"
    )
    category = models.ForeignKey(
        RequestCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="council_opinions"
    )
    summary = models.TextField(_("opinion"))
    raised_by = models.ForeignKey(
        CouncilMember,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    place = models.CharField(_("place concerned"), max_length=200, blank=True)
    request = models.OneToOneField(
        Request, verbose_name=_("request"), on_delete=models.PROTECT, related_name="council_opinion"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("council opinion")
        verbose_name_plural = _("council opinions")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.summary[:60]
