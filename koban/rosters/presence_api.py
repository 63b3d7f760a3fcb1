"""REST API of who is actually in the box: one-call sign-on, outings, leave requests, counter cover."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_leave_request,
    access_outing,
    access_roster_box,
    leave_requests_visible_to,
    outings_visible_to,
)
from koban.accounts.models import User
from koban.lib.api import ModelSerializer, Serializer, query_int
from koban.rosters import services
from koban.rosters.api import DutyRecordSerializer, RosterEntrySerializer, _officer
from koban.rosters.models import LeaveRequest, Outing


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _box_of(request: Request, box_id: int | None) -> Any:
    """The box named in the body, or the user's own box."""
    user = _user(request)
    chosen = box_id or user.box_id
    if not chosen:
        raise ValidationError({"box": _("This field is required.")})
    return access_roster_box(user, chosen)


class SignOnSerializer(Serializer):
    box = serializers.IntegerField(required=False, help_text="Default: the user's own box.")
    officer = serializers.IntegerField(
        required=False, help_text="Default: the user (managers may name another)."
    )
    confirm_outside_shift = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


@extend_schema(request=SignOnSerializer, responses={201: DutyRecordSerializer})
@api_view(["POST"])
def sign_on_view(request: Request) -> Response:
    """Sign on now for the rostered shift (pre-filled from the roster).

    Outside a rostered shift the answer is 400 naming ``confirm_outside_shift``: send it as true to sign
    on anyway (a call-out, overtime).
    """
    data = SignOnSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    box = _box_of(request, v.get("box"))
    officer = _officer(request, v["officer"], "officer") if v.get("officer") else _user(request)
    duty = services.sign_on(
        _user(request),
        box,
        officer,
        timezone.now(),
        confirm_outside_shift=v["confirm_outside_shift"],
        note=v["note"],
    )
    return Response(
        DutyRecordSerializer(duty, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


class OutingSerializer(ModelSerializer):
    officer_name = serializers.CharField(source="officer.__str__", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Outing
        fields = ["id", "box", "officer", "officer_name", "kind", "kind_label", "started_at", "ended_at"]
        read_only_fields = fields


class GoOutSerializer(Serializer):
    box = serializers.IntegerField(required=False, help_text="Default: the user's own box.")
    officer = serializers.IntegerField(required=False, help_text="Default: the user.")
    kind = serializers.ChoiceField(choices=Outing.Kind.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class OutingViewSet(viewsets.ReadOnlyModelViewSet):
    """Officers out of the box (patrol, visit, call, errand): ``?box=``, ``?open=1`` for those still out."""

    serializer_class = OutingSerializer

    def get_object(self) -> Outing:
        return access_outing(_user(self.request), self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("box", OpenApiTypes.INT), OpenApiParameter("open", OpenApiTypes.INT)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Outing]:
        qs = outings_visible_to(_user(self.request)).select_related("officer")
        box = query_int(self.request.query_params, "box")
        if box:
            qs = qs.filter(box_id=box)
        if query_int(self.request.query_params, "open"):
            qs = qs.open()
        return qs.order_by("-started_at", "-id")

    @extend_schema(request=GoOutSerializer, responses={201: OutingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The officer leaves the box now."""
        data = GoOutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        box = _box_of(request, v.get("box"))
        officer = _officer(request, v["officer"], "officer") if v.get("officer") else _user(request)
        outing = services.go_out(_user(request), box, officer, timezone.now(), v["kind"], v["note"])
        return Response(OutingSerializer(outing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OutingSerializer})
    @action(detail=True, methods=["post"])
    def back(self, request: Request, pk: str | None = None) -> Response:
        """The officer is back in the box now."""
        outing = services.come_back(_user(request), self.get_object(), timezone.now())
        return Response(OutingSerializer(outing).data)


class LeaveRequestSerializer(ModelSerializer):
    officer_name = serializers.CharField(source="officer.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "box",
            "officer",
            "officer_name",
            "start",
            "end",
            "note",
            "status",
            "status_label",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "leave_entry",
        ]
        read_only_fields = fields


class AskLeaveSerializer(Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class DecisionSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class LeaveRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Leave requests: officers ask for their own box; the station chief or HQ approves or refuses.

    ``?status=pending`` lists what is waiting.
    """

    serializer_class = LeaveRequestSerializer

    def get_object(self) -> LeaveRequest:
        return access_leave_request(_user(self.request), self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=LeaveRequest.Status.values)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[LeaveRequest]:
        qs = leave_requests_visible_to(_user(self.request)).select_related("officer")
        wanted = self.request.query_params.get("status", "")
        if wanted in LeaveRequest.Status.values:
            qs = qs.filter(status=wanted)
        return qs.order_by("-requested_at", "-id")

    @extend_schema(request=AskLeaveSerializer, responses={201: LeaveRequestSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AskLeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        box = _box_of(request, None)
        leave = services.request_leave(_user(request), box, v["start"], v["end"], v["note"])
        return Response(LeaveRequestSerializer(leave).data, status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, approve: bool) -> Response:
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leave = services.decide_leave(
            _user(request), self.get_object(), approve=approve, note=data.validated_data["note"]
        )
        return Response(LeaveRequestSerializer(leave).data)

    @extend_schema(request=DecisionSerializer, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve: the leave goes on the roster and the duties it overlaps are cut."""
        return self._decide(request, True)

    @extend_schema(request=DecisionSerializer, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, False)

    @extend_schema(request=None, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """The officer withdraws a request not yet decided."""
        leave = services.withdraw_leave(_user(request), self.get_object())
        return Response(LeaveRequestSerializer(leave).data)


class CoverSerializer(Serializer):
    box = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    cover_name = serializers.CharField(max_length=150)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


@extend_schema(request=CoverSerializer, responses={201: RosterEntrySerializer})
@api_view(["POST"])
def cover_view(request: Request) -> Response:
    """Enter counter cover by hand (a chuzaisho's family or a counsellor took walk-ins)."""
    data = CoverSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    box = access_roster_box(_user(request), v["box"])
    entry = services.record_cover(_user(request), box, v["start"], v["end"], v["cover_name"], v["note"])
    return Response(
        RosterEntrySerializer(entry, context={"request": request}).data, status=status.HTTP_201_CREATED
    )
