"""REST API for shift patterns, roster entries, swaps, leave, sign-on records, on-duty and empty hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_duty_record,
    access_roster_box,
    access_roster_entry,
    boxes_visible_to,
    can_see_roster_note,
    duty_records_visible_to,
    fetch_or_refuse,
    find_or_record,
    officers_visible_to,
    plans_visible_to,
    roster_boxes_visible_to,
    roster_entries_visible_to,
    stations_visible_to,
)
from koban.accounts.models import User
from koban.lib.api import ModelSerializer, Serializer, query_date, query_datetime, query_id, query_int
from koban.rosters import generation, services
from koban.rosters.forms import MonthForm
from koban.rosters.models import BoxShiftPlan, DutyRecord, RosterEntry, ShiftPattern
from koban.rosters.monthly import month_bounds
from koban.rosters.queries import on_duty_officers
from koban.rosters.reports import BoxGaps, box_gaps, box_zone, by_station, local_day_bounds

MAX_RANGE_DAYS = 92


def parse_date(params: Any, name: str, default: dt.date | None = None) -> dt.date:
    day = query_date(params, name)
    if day is not None:
        return day
    if default is None:
        raise ValidationError({name: _("This parameter is required (YYYY-MM-DD).")})
    return default


def parse_range(params: Any) -> tuple[dt.date, dt.date]:
    """``start`` and ``end`` dates (inclusive); default this week; at most MAX_RANGE_DAYS."""
    today = timezone.localdate()
    first = parse_date(params, "start", today - dt.timedelta(days=6))
    last = parse_date(params, "end", max(first, today))
    if last < first:
        raise ValidationError({"end": _("The end date must not be before the start date.")})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationError({"end": _("Ask for at most %(n)d days at a time.") % {"n": MAX_RANGE_DAYS}})
    return first, last


def parse_month(params: Any) -> tuple[dt.date, dt.date] | None:
    """``month=YYYY-MM`` as its first and last day, or None when not given."""
    text = params.get("month")
    if not text:
        return None
    form = MonthForm({"month": text})
    if not form.is_valid():
        raise ValidationError({"month": [str(e) for e in form.errors["month"]]})
    return month_bounds(form.first_day())


class ShiftPatternSerializer(ModelSerializer):
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = ShiftPattern
        fields = ["id", "code", "label", "labels", "kind", "description", "definition", "active"]

    def get_label(self, obj: ShiftPattern) -> str:
        return obj.label()


class ShiftPatternViewSet(viewsets.ReadOnlyModelViewSet):
    """Shift patterns (koban 3-group, 4-group, 8-hour three-shift, chuzaisho, …)."""

    serializer_class = ShiftPatternSerializer
    queryset = ShiftPattern.objects.all()


class PlanMemberSerializer(Serializer):
    officer = serializers.IntegerField(source="officer_id")
    group = serializers.IntegerField(min_value=0, help_text="Group number, counted from 0.")


class BoxShiftPlanSerializer(ModelSerializer):
    pattern = serializers.SlugRelatedField(slug_field="code", queryset=ShiftPattern.objects.all())
    members = PlanMemberSerializer(many=True)

    class Meta:
        model = BoxShiftPlan
        fields = ["id", "box", "pattern", "anchor", "valid_from", "valid_until", "cover_name", "members"]
        read_only_fields = ["id", "valid_until"]


class BoxShiftPlanViewSet(viewsets.ModelViewSet):
    """Which pattern each box follows from which day, and which officers form its groups.

    A new plan ends the box's previous open plan the day before it starts (station chief or HQ).
    """

    serializer_class = BoxShiftPlanSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self) -> BoxShiftPlan:
        scope = plans_visible_to(_user(self.request)).select_related("pattern").prefetch_related("members")
        return fetch_or_refuse(_user(self.request), scope, self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("box", OpenApiTypes.INT)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[BoxShiftPlan]:
        qs = plans_visible_to(_user(self.request)).select_related("pattern")
        box = query_int(self.request.query_params, "box")
        return qs.filter(box_id=box).prefetch_related("members") if box else qs.prefetch_related("members")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:  # type: ignore[type-arg]
        v = serializer.validated_data
        box = access_roster_box(_user(self.request), v["box"].pk)
        members = [(_officer(self.request, m["officer_id"], "members"), m["group"]) for m in v["members"]]
        serializer.instance = services.create_plan(
            _user(self.request),
            box,
            v["pattern"],
            anchor=v["anchor"],
            valid_from=v["valid_from"],
            members=members,
            cover_name=v.get("cover_name", ""),
        )


class PersonalNoteMixin(ModelSerializer):
    """Blanks the note (why someone is on leave, why a shift was swapped) for those who may not read it."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        if data.get("note") and not can_see_roster_note(getattr(request, "user", None), instance):  # type: ignore[arg-type]
            data["note"] = ""
        return data


class RosterEntrySerializer(PersonalNoteMixin, ModelSerializer):
    officer_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RosterEntry
        fields = [
            "id",
            "box",
            "officer",
            "officer_name",
            "cover_name",
            "start",
            "end",
            "kind",
            "kind_label",
            "shift_code",
            "source",
            "replaces",
            "note",
        ]
        read_only_fields = fields

    def get_officer_name(self, obj: RosterEntry) -> str:
        return str(obj.officer) if obj.officer else obj.cover_name


class SwapSerializer(Serializer):
    entry = serializers.IntegerField()
    to_officer = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class LeaveSerializer(Serializer):
    box = serializers.IntegerField()
    officer = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class GenerateSerializer(Serializer):
    box = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    accept_gaps = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)


_interval = inline_serializer(
    "Interval",
    {"start": serializers.DateTimeField(), "end": serializers.DateTimeField()},
    many=True,
)
_generation = inline_serializer(
    "RosterGeneration",
    {
        "saved": serializers.BooleanField(),
        "entries": serializers.IntegerField(),
        "replaced": serializers.IntegerField(),
        "unstaffed_hours": serializers.FloatField(),
        "covered_hours": serializers.FloatField(),
        "on_call_hours": serializers.FloatField(),
        "gaps": _interval,
        "problems": serializers.ListField(child=serializers.CharField()),
    },
)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _officer(request: Request, pk: int, field: str) -> User:
    """The officer named in the body: staff of the stations the user sees; anyone else reads as unknown."""
    user = find_or_record(_user(request), officers_visible_to(_user(request)), pk, field)
    if user is None:
        raise ValidationError({field: _("Unknown officer.")})
    return user


class RosterEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Roster entries of one box (``?box=``) between ``?start=`` and ``?end=`` (dates, inclusive)."""

    serializer_class = RosterEntrySerializer

    def get_object(self) -> RosterEntry:
        return access_roster_entry(_user(self.request), self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("box", OpenApiTypes.INT, required=True),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[RosterEntry]:
        qs = roster_entries_visible_to(_user(self.request)).select_related("officer", "box")
        if self.action != "list":
            return qs
        box = access_roster_box(_user(self.request), query_id(self.request.query_params, "box"))
        first, last = parse_range(self.request.query_params)
        start, end = local_day_bounds(first, last, box_zone(box))
        return qs.filter(box=box).overlapping(start, end).order_by("start", "officer__username")

    @extend_schema(request=SwapSerializer, responses={200: RosterEntrySerializer})
    @action(detail=False, methods=["post"])
    def swap(self, request: Request) -> Response:
        """Hand a rostered duty to another officer (station chief or HQ)."""
        data = SwapSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = access_roster_entry(_user(request), data.validated_data["entry"])
        to_officer = _officer(request, data.validated_data["to_officer"], "to_officer")
        entry = services.record_swap(_user(request), entry, to_officer, data.validated_data["note"])
        return Response(RosterEntrySerializer(entry, context={"request": request}).data)

    @extend_schema(request=LeaveSerializer, responses={201: RosterEntrySerializer})
    @action(detail=False, methods=["post"])
    def leave(self, request: Request) -> Response:
        """Record an officer on leave; their duties in that time are cut from the roster."""
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        box = access_roster_box(_user(request), data.validated_data["box"])
        officer = _officer(request, data.validated_data["officer"], "officer")
        entry = services.record_leave(
            _user(request),
            box,
            officer,
            data.validated_data["start"],
            data.validated_data["end"],
            data.validated_data["note"],
        )
        return Response(
            RosterEntrySerializer(entry, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=GenerateSerializer, responses={200: _generation, 409: _generation})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        """Generate a month's roster. Answers 409 with the empty hours unless ``accept_gaps`` is set."""
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        box = access_roster_box(_user(request), v["box"])
        preview = generation.generate_month_roster(
            _user(request), box, v["year"], v["month"], accept_gaps=v["accept_gaps"], dry_run=v["dry_run"]
        )
        body = generation_body(preview)
        blocked = not preview.saved and not v["dry_run"]
        return Response(body, status=status.HTTP_409_CONFLICT if blocked else status.HTTP_200_OK)


def generation_body(preview: generation.MonthPreview) -> dict[str, Any]:
    gaps = preview.gaps
    return {
        "saved": preview.saved,
        "entries": len(preview.entries),
        "replaced": preview.replaced,
        "unstaffed_hours": round(gaps.unstaffed_hours, 2) if gaps else 0.0,
        "covered_hours": round(gaps.covered_hours, 2) if gaps else 0.0,
        "on_call_hours": round(gaps.on_call_seconds / 3600, 2) if gaps else 0.0,
        "gaps": [{"start": s, "end": e} for s, e in (gaps.unstaffed if gaps else [])],
        "problems": preview.problems,
    }


class DutyRecordSerializer(PersonalNoteMixin, ModelSerializer):
    officer_name = serializers.CharField(source="officer.__str__", read_only=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Another station's or agency's officer is refused like an unknown id.
            self.fields["officer"].queryset = officers_visible_to(request.user)  # type: ignore[attr-defined]

    class Meta:
        model = DutyRecord
        fields = ["id", "box", "officer", "officer_name", "signed_on_at", "signed_off_at", "note"]


class SignOffSerializer(Serializer):
    signed_off_at = serializers.DateTimeField(required=False, help_text="Default: now.")


class DutyRecordViewSet(viewsets.ModelViewSet):
    """Sign-on/sign-off records: who was actually on duty at a box. Filter with ``?box=``."""

    serializer_class = DutyRecordSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[DutyRecord]:
        qs = duty_records_visible_to(_user(self.request)).select_related("officer")
        box = query_int(self.request.query_params, "box")
        return qs.filter(box_id=box) if box else qs

    def get_object(self) -> DutyRecord:
        return access_duty_record(_user(self.request), self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:  # type: ignore[type-arg]
        v = serializer.validated_data
        box = access_roster_box(_user(self.request), v["box"].pk)
        serializer.instance = services.record_actual_duty(
            _user(self.request),
            box,
            v["officer"],
            v["signed_on_at"],
            v.get("signed_off_at"),
            v.get("note", ""),
        )

    @extend_schema(request=SignOffSerializer, responses={200: DutyRecordSerializer})
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str | None = None) -> Response:
        data = SignOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        at = data.validated_data.get("signed_off_at") or timezone.now()
        duty = services.sign_off(_user(request), self.get_object(), at)
        return Response(DutyRecordSerializer(duty, context={"request": request}).data)


_on_duty = inline_serializer(
    "BoxOnDuty",
    {
        "box": serializers.IntegerField(),
        "box_name": serializers.CharField(),
        "staffed": serializers.BooleanField(),
        "officers": inline_serializer(
            "OnDutyOfficer", {"id": serializers.IntegerField(), "name": serializers.CharField()}, many=True
        ),
    },
    many=True,
)


@extend_schema(
    parameters=[
        OpenApiParameter("station", OpenApiTypes.INT, description="Only the boxes of this station"),
        OpenApiParameter("at", OpenApiTypes.DATETIME, description="Moment to ask about (default: now)"),
    ],
    responses={200: _on_duty},
)
@api_view(["GET"])
def on_duty_view(request: Request) -> Response:
    """Officers on duty now (or at ``?at=``) at every box the user may see."""
    boxes = roster_boxes_visible_to(_user(request)).with_station()
    station = query_int(request.query_params, "station")
    if station:
        boxes = boxes.filter(station_id=station)
    at = query_datetime(request.query_params, "at") or dt.datetime.now(dt.UTC)
    box_list = list(boxes)
    duty = on_duty_officers([b.pk for b in box_list], at)
    return Response(
        [
            {
                "box": b.pk,
                "box_name": b.name,
                "staffed": bool(duty[b.pk]),
                "officers": [{"id": u.pk, "name": str(u)} for u in duty[b.pk]],
            }
            for b in box_list
        ]
    )


def gaps_body(g: BoxGaps) -> dict[str, Any]:
    return {
        "box": g.box.pk,
        "box_name": g.box.name,
        "station": g.box.station_id,
        "unstaffed_hours": round(g.unstaffed_hours, 4),
        "covered_hours": round(g.covered_hours, 4),
        "uncovered_hours": round(g.uncovered_hours, 4),
        "unstaffed_seconds": int(g.unstaffed_seconds),
        "covered_seconds": int(g.covered_seconds),
        "uncovered_seconds": int(g.uncovered_seconds),
        "on_call_seconds": int(g.on_call_seconds),
        "unstaffed_text": g.unstaffed_text,
        "unstaffed": [{"start": s, "end": e} for s, e in g.unstaffed],
        "covered": [{"start": s, "end": e} for s, e in g.covered],
        "on_call": [{"start": s, "end": e} for s, e in g.on_call],
    }


_box_gaps = inline_serializer(
    "BoxEmptyHours",
    {
        "box": serializers.IntegerField(),
        "box_name": serializers.CharField(),
        "station": serializers.IntegerField(),
        "unstaffed_hours": serializers.FloatField(),
        "covered_hours": serializers.FloatField(),
        "uncovered_hours": serializers.FloatField(),
        "unstaffed_seconds": serializers.IntegerField(),
        "covered_seconds": serializers.IntegerField(),
        "uncovered_seconds": serializers.IntegerField(),
        "on_call_seconds": serializers.IntegerField(),
        "unstaffed_text": serializers.CharField(help_text="H:MM"),
        "unstaffed": _interval,
        "covered": _interval,
        "on_call": _interval,
    },
    many=True,
)


@extend_schema(
    parameters=[
        OpenApiParameter("station", OpenApiTypes.INT),
        OpenApiParameter("box", OpenApiTypes.INT),
        OpenApiParameter("start", OpenApiTypes.DATE),
        OpenApiParameter("end", OpenApiTypes.DATE),
        OpenApiParameter(
            "month", OpenApiTypes.STR, description="A whole month, YYYY-MM (instead of start/end)"
        ),
    ],
    responses={
        200: inline_serializer(
            "EmptyHours",
            {
                "start": serializers.DateTimeField(),
                "end": serializers.DateTimeField(),
                "boxes": _box_gaps,
                "stations": inline_serializer(
                    "StationEmptyHours",
                    {
                        "station": serializers.CharField(),
                        "unstaffed_hours": serializers.FloatField(),
                        "covered_hours": serializers.FloatField(),
                        "uncovered_hours": serializers.FloatField(),
                        "unstaffed_seconds": serializers.IntegerField(),
                        "on_call_seconds": serializers.IntegerField(),
                        "unstaffed_text": serializers.CharField(),
                        "boxes_with_gaps": serializers.IntegerField(),
                    },
                    many=True,
                ),
            },
        )
    },
)
@api_view(["GET"])
def empty_hours_view(request: Request) -> Response:
    """Hours each box had no officer on duty (and how much of it a spouse or counsellor covered)."""
    user = _user(request)
    boxes = boxes_visible_to(user).with_station().operating()
    station = query_int(request.query_params, "station")
    if station:
        fetch_or_refuse(user, stations_visible_to(user), station)
        boxes = boxes.filter(station_id=station)
    box_id = query_int(request.query_params, "box")
    if box_id:
        boxes = boxes.filter(pk=fetch_or_refuse(user, boxes_visible_to(user), box_id).pk)
    first, last = parse_month(request.query_params) or parse_range(request.query_params)
    start, end = local_day_bounds(first, last, box_zone())
    gaps = box_gaps(list(boxes), start, end)
    return Response(
        {
            "start": start,
            "end": end,
            "boxes": [gaps_body(g) for g in gaps],
            "stations": [
                {
                    "station": s.station_name,
                    "unstaffed_hours": round(s.unstaffed_hours, 4),
                    "covered_hours": round(s.covered_hours, 4),
                    "uncovered_hours": round(s.uncovered_hours, 4),
                    "unstaffed_seconds": int(s.unstaffed_seconds),
                    "on_call_seconds": int(s.on_call_seconds),
                    "unstaffed_text": s.unstaffed_text,
                    "boxes_with_gaps": s.boxes_with_gaps,
                }
                for s in by_station(gaps)
            ],
        }
    )
