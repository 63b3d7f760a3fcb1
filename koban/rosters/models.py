"""Shift patterns, generated rosters, duty records and empty-box hours.

A box follows a shift pattern (``BoxShiftPlan``): its officers are split into groups that rotate
through the pattern's cycle. Generating a month turns the plan into ``RosterEntry`` rows (one per
officer and shift); swaps and leave change those rows; ``DutyRecord`` rows say when an officer
actually signed on and off. ``koban.rosters.queries`` turns all of it into "who is on duty".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from koban.organization.models import PoliceBox
from koban.rosters import cycle


def pick_label(labels: dict[str, str] | None, fallback: str, language: str | None = None) -> str:
    """The label in *language* (default: the active one), else English, else any, else *fallback*."""
    labels = labels or {}
    lang = (language or get_language() or "en").split("-")[0]
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), fallback)


class ShiftPattern(models.Model):
    """A way of staffing a box, as data: shifts (当番, 非番, 公休, 日勤, …) and the cycle groups follow.

    The ``definition`` is validated by ``koban.rosters.cycle.parse_pattern``; see that module for its
    shape. Patterns are configuration: deployments abroad add their own (8-hour three-shift posts).
    """

    class Kind(models.TextChoices):
        ROTATING = "rotating", _("Rotating groups (koban)")
        RESIDENTIAL = "residential", _("Resident officer (chuzaisho)")
        FIXED = "fixed", _("Fixed shifts")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    labels = models.JSONField(_("names per language"), default=dict)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROTATING)
    description = models.TextField(_("description"), blank=True)
    definition = models.JSONField(_("cycle definition"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, self.code, language)

    def clean(self) -> None:
        try:
            cycle.parse_pattern(self.definition)
        except cycle.PatternError as exc:
            raise ValidationError({"definition": str(exc)}) from exc

    def parsed(self) -> cycle.Pattern:
        return cycle.parse_pattern(self.definition)


class BoxShiftPlanQuerySet(models.QuerySet["BoxShiftPlan"]):
    def in_force(self, first: dt.date, last: dt.date) -> BoxShiftPlanQuerySet:
        """Plans in force on any day between *first* and *last* inclusive."""
        return self.filter(valid_from__lte=last).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=first)
        )


class BoxShiftPlan(models.Model):
    """A box following a pattern from a date: which officers form which group, and the cycle anchor.

    Group 0 is on day 0 of the cycle on ``anchor``; the other groups follow the pattern's offset.
    ``cover_name``/``cover_person`` is who takes walk-ins during the pattern's cover periods (a
    chuzaisho officer's spouse, or a counsellor): counter cover, never police staffing.
    """

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.CASCADE, related_name="shift_plans"
    )
    pattern = models.ForeignKey(
        ShiftPattern, verbose_name=_("shift pattern"), on_delete=models.PROTECT, related_name="plans"
    )
    anchor = models.DateField(_("cycle anchor"), help_text=_("Day on which group 1 starts the cycle."))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    cover_name = models.CharField(_("counter cover"), max_length=150, blank=True)
    cover_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counter cover (user)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BoxShiftPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("box shift plan")
        verbose_name_plural = _("box shift plans")
        ordering = ["box", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["box", "valid_from"], name="one_plan_per_box_and_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="plan_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.box} · {self.pattern} ({self.valid_from})"


class PlanMember(models.Model):
    """An officer in one group of a box's plan (group numbers start at 0)."""

    plan = models.ForeignKey(
        BoxShiftPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="members"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="+"
    )
    group = models.PositiveSmallIntegerField(_("group"))

    class Meta:
        verbose_name = _("plan member")
        verbose_name_plural = _("plan members")
        ordering = ["plan", "group", "officer"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "officer"], name="officer_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.group + 1}"


class EntryKind(models.TextChoices):
    DUTY = "duty", _("Duty")
    DAY_SHIFT = "day_shift", _("Day shift")
    COVER = "cover", _("Counter cover")
    LEAVE = "leave", _("Leave")


STAFFING_KINDS = (EntryKind.DUTY, EntryKind.DAY_SHIFT)


class EntrySource(models.TextChoices):
    GENERATED = "generated", _("Generated")
    SWAP = "swap", _("Swap")
    MANUAL = "manual", _("Manual")


class RosterEntryQuerySet(models.QuerySet["RosterEntry"]):
    def overlapping(self, start: dt.datetime, end: dt.datetime) -> RosterEntryQuerySet:
        return self.filter(start__lt=end, end__gt=start)

    def staffing(self) -> RosterEntryQuerySet:
        return self.filter(kind__in=STAFFING_KINDS)

    def leave(self) -> RosterEntryQuerySet:
        return self.filter(kind=EntryKind.LEAVE)

    def cover(self) -> RosterEntryQuerySet:
        return self.filter(kind=EntryKind.COVER)


class RosterEntry(models.Model):
    """One planned stretch of a person's time at a box: a duty, a day shift, counter cover or leave.

    ``officer`` is empty only for counter cover by someone without a login (a chuzaisho spouse,
    named in ``cover_name``). ``replaces`` is the officer whose shift a swap handed over.
    """

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.CASCADE, related_name="roster_entries"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roster_entries",
    )
    cover_name = models.CharField(_("counter cover"), max_length=150, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    shift_code = models.CharField(_("shift code"), max_length=16, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=EntrySource.choices, default=EntrySource.MANUAL
    )
    plan = models.ForeignKey(
        BoxShiftPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RosterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["box", "start", "officer"]
        indexes = [models.Index(fields=["box", "start", "end"]), models.Index(fields=["officer", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="roster_entry_ends_after_start"),
            models.CheckConstraint(
                condition=Q(officer__isnull=False) | Q(kind="cover"),
                name="roster_entry_officer_unless_cover",
            ),
        ]

    def __str__(self) -> str:
        who = self.officer or self.cover_name
        return f"{who} · {self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"

    @property
    def staffs_box(self) -> bool:
        return self.kind in STAFFING_KINDS


class DutyRecordQuerySet(models.QuerySet["DutyRecord"]):
    def overlapping(self, start: dt.datetime, end: dt.datetime) -> DutyRecordQuerySet:
        """Records overlapping the window; an open record runs at most ``OPEN_RECORD_LIMIT``."""
        return self.filter(signed_on_at__lt=end).filter(
            Q(signed_off_at__gt=start)
            | Q(signed_off_at__isnull=True, signed_on_at__gt=start - DutyRecord.OPEN_RECORD_LIMIT)
        )


class DutyRecord(models.Model):
    """An officer actually on duty at a box: signed on at one moment, signed off at another.

    A record still open (no sign-off) counts for at most ``OPEN_RECORD_LIMIT`` after the sign-on, so
    that a forgotten sign-off does not keep a box "staffed" for ever.
    """

    OPEN_RECORD_LIMIT = dt.timedelta(hours=30)

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.CASCADE, related_name="duty_records"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="duty_records",
    )
    signed_on_at = models.DateTimeField(_("signed on at"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    roster_entry = models.ForeignKey(
        "RosterEntry",
        verbose_name=_("rostered shift"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expected_off_at = models.DateTimeField(_("expected sign-off"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DutyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        ordering = ["box", "-signed_on_at"]
        indexes = [models.Index(fields=["box", "signed_on_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_off_at__isnull=True) | Q(signed_off_at__gt=F("signed_on_at")),
                name="duty_record_off_after_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.box} {self.signed_on_at:%Y-%m-%d %H:%M}"

    def interval(self) -> tuple[dt.datetime, dt.datetime]:
        """From sign-on to sign-off; an open record to the end of its shift, else up to the limit."""
        limit = self.signed_on_at + self.OPEN_RECORD_LIMIT
        planned = (
            self.expected_off_at
            if self.expected_off_at and self.expected_off_at > self.signed_on_at
            else None
        )
        end = self.signed_off_at or min(planned or limit, limit)
        return (self.signed_on_at, end)


class OutingQuerySet(models.QuerySet["Outing"]):
    def overlapping(self, start: dt.datetime, end: dt.datetime) -> OutingQuerySet:
        """Outings overlapping the window; an open one runs at most ``OPEN_OUTING_LIMIT``."""
        return self.filter(started_at__lt=end).filter(
            Q(ended_at__gt=start) | Q(ended_at__isnull=True, started_at__gt=start - Outing.OPEN_OUTING_LIMIT)
        )

    def open(self) -> OutingQuerySet:
        return self.filter(ended_at__isnull=True)


class Outing(models.Model):
    """An officer out of the box right now (one tap "going out" / "back"), before any record exists.

    Patrols and dispatches already say when officers were out; an outing covers what is not recorded
    elsewhere yet: a patrol about to start, a visit, an errand. An outing never closed counts for at most
    ``OPEN_OUTING_LIMIT`` so that a forgotten "back" does not leave the box empty for ever.
    """

    OPEN_OUTING_LIMIT = dt.timedelta(hours=8)

    class Kind(models.TextChoices):
        PATROL = "patrol", _("Patrol")
        VISIT = "visit", _("Household visit")
        CALL = "call", _("Call or incident")
        OTHER = "other", _("Other errand")

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.CASCADE, related_name="outings"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="outings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PATROL)
    started_at = models.DateTimeField(_("left the box at"))
    ended_at = models.DateTimeField(_("back at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OutingQuerySet.as_manager()

    class Meta:
        verbose_name = _("outing")
        verbose_name_plural = _("outings")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["officer", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="outing_back_after_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"

    def interval(self) -> tuple[dt.datetime, dt.datetime]:
        return (self.started_at, self.ended_at or self.started_at + self.OPEN_OUTING_LIMIT)


class LeaveRequestQuerySet(models.QuerySet["LeaveRequest"]):
    def pending(self) -> LeaveRequestQuerySet:
        return self.filter(status=LeaveRequest.Status.PENDING)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> LeaveRequestQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class LeaveRequest(models.Model):
    """An officer asking for leave; the station chief (or HQ) approves or refuses it.

    Only an approved request changes the roster: approval records the leave (a ``RosterEntry`` of kind
    leave, kept in ``leave_entry``) and cuts the duties it overlaps.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", pgettext_lazy("leave request", "Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.CASCADE, related_name="leave_requests"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="leave_requests",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    note = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    leave_entry = models.ForeignKey(
        RosterEntry,
        verbose_name=_("recorded leave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LeaveRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="leave_request_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d} ({self.get_status_display()})"


class HandoverPriority(models.TextChoices):
    """How the next shift must treat a handover entry; urgent ones are listed first."""

    URGENT = "urgent", _("Urgent")
    IMPORTANT = "important", _("Important")
    ROUTINE = "routine", _("Routine")


# Display order of the priorities: urgent first.
HANDOVER_PRIORITY_RANK = {
    HandoverPriority.URGENT: 0,
    HandoverPriority.IMPORTANT: 1,
    HandoverPriority.ROUTINE: 2,
}


class HandoverEntryQuerySet(models.QuerySet["HandoverEntry"]):
    def of_box(self, box: PoliceBox) -> HandoverEntryQuerySet:
        return self.filter(box=box)

    def since(self, moment: dt.datetime) -> HandoverEntryQuerySet:
        return self.filter(written_at__gte=moment)

    def unacknowledged_by(self, officer: Any) -> HandoverEntryQuerySet:
        """Entries *officer* has not yet acknowledged, leaving out those they wrote themself."""
        return self.exclude(written_by=officer).exclude(acknowledgements__officer=officer)

    def by_priority(self) -> HandoverEntryQuerySet:
        """Urgent first, then important, then routine; the newest first within each."""
        rank = models.Case(
            *(models.When(priority=p, then=models.Value(r)) for p, r in HANDOVER_PRIORITY_RANK.items()),
            output_field=models.IntegerField(),
        )
        return self.annotate(rank=rank).order_by("rank", "-written_at", "-id")


class HandoverEntry(models.Model):
    """One line of the box's handover log (引継簿): what the outgoing shift hands to the next one.

    Written by an officer at the end of a shift (or by the station chief as an instruction); every
    officer of the box who comes on acknowledges it (``HandoverAcknowledgement``), and until they do it
    stays on their dashboard. ``links`` are pages of this site the entry refers to (an incident, a
    found item, a counter matter), kept as site paths so that the rosters app needs none of those apps.
    """

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.CASCADE, related_name="handover_entries"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="handover_entries",
    )
    written_at = models.DateTimeField(_("written at"), db_index=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=HandoverPriority.choices, default=HandoverPriority.ROUTINE
    )
    text = models.TextField(_("text"), max_length=2000)
    links = models.JSONField(_("links"), default=list, blank=True)

    objects = HandoverEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover entry")
        verbose_name_plural = _("handover entries")
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["box", "-written_at"], name="handover_box_written")]

    def __str__(self) -> str:
        return f"{self.box} · {self.written_at:%Y-%m-%d %H:%M} · {self.get_priority_display()}"


class HandoverAcknowledgement(models.Model):
    """An officer of the next shift has read a handover entry: who and when (once per officer)."""

    entry = models.ForeignKey(
        HandoverEntry,
        verbose_name=_("handover entry"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="handover_acknowledgements",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        verbose_name = _("handover acknowledgement")
        verbose_name_plural = _("handover acknowledgements")
        ordering = ["acknowledged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "officer"], name="handover_acknowledged_once"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.acknowledged_at:%Y-%m-%d %H:%M}"


class PatrolCarQuerySet(models.QuerySet["PatrolCar"]):
    def active(self) -> PatrolCarQuerySet:
        return self.filter(active=True)


class PatrolCar(models.Model):
    """A vehicle sent as one unit with its crew: a patrol car (PC), a mini patrol car, a motorcycle.

    It is kept at a box (a station's own cars at the box in or next to the station building), where its
    crew starts from; who rides in it is said per shift by ``CrewAssignment``.
    """

    class Kind(models.TextChoices):
        PATROL_CAR = "patrol_car", _("Patrol car")
        MINI_PATROL_CAR = "mini_car", _("Mini patrol car")
        MOTORCYCLE = "motorcycle", _("Police motorcycle")

    call_sign = models.CharField(_("call sign"), max_length=40)
    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="patrol_cars"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PATROL_CAR)
    active = models.BooleanField(_("in service"), default=True)

    objects = PatrolCarQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol car")
        verbose_name_plural = _("patrol cars")
        ordering = ["call_sign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["box", "call_sign"], name="patrol_car_call_sign_per_box")
        ]

    def __str__(self) -> str:
        return self.call_sign


class CrewAssignmentQuerySet(models.QuerySet["CrewAssignment"]):
    def at(self, moment: dt.datetime) -> CrewAssignmentQuerySet:
        """Crews riding at *moment* (start inclusive, end exclusive)."""
        return self.filter(start__lte=moment, end__gt=moment)


class CrewAssignment(models.Model):
    """One officer riding in a patrol car for one shift (from *start* to *end*)."""

    car = models.ForeignKey(
        PatrolCar, verbose_name=_("patrol car"), on_delete=models.CASCADE, related_name="crew"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="crew_assignments",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CrewAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("crew assignment")
        verbose_name_plural = _("crew assignments")
        ordering = ["start", "car_id", "id"]
        indexes = [models.Index(fields=["car", "start"]), models.Index(fields=["officer", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="crew_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.car} · {self.officer} {self.start:%Y-%m-%d %H:%M}"
