"""REST API of liaison councils: councils, members (personal data, read-audited), meetings and opinions.

Reads follow the page rules (the box's staff, its chief, HQ); writes go through ``koban.councils.services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_council,
    access_council_for_meetings,
    access_council_for_members,
    access_meeting,
    access_meeting_for_work,
    access_member,
    access_member_for_work,
    councils_visible_to,
    meetings_visible_to,
    members_visible_to,
)
from koban.audit.reads import NoteReadsSerializer
from koban.councils import services, voice_link
from koban.councils.models import Council, CouncilMember, Meeting, Opinion
from koban.councils.reports import opinion_lines, report_back
from koban.lib.api import ModelSerializer, Serializer, query_int
from koban.voice.models import RequestCategory


class CouncilSerializer(ModelSerializer):
    box_name = serializers.CharField(source="box.name", read_only=True)

    class Meta:
        model = Council
        fields = ["id", "box", "box_name", "name", "note", "created_at"]
        read_only_fields = fields


class CouncilViewSet(viewsets.ReadOnlyModelViewSet):
    """Liaison councils of the boxes the user works on."""

    serializer_class = CouncilSerializer

    def get_queryset(self) -> QuerySet[Council]:
        return councils_visible_to(self.request.user).with_box()  # type: ignore[arg-type]

    def get_object(self) -> Council:
        return access_council(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]


class CouncilMemberSerializer(NoteReadsSerializer, ModelSerializer):
    council = serializers.IntegerField(source="council_id")

    class Meta:
        model = CouncilMember
        fields = [
            "id",
            "council",
            "kind",
            "name",
            "organization",
            "contact",
            "is_chair",
            "term_start",
            "term_end",
            "left_on",
            "renewed_from",
        ]
        read_only_fields = ["term_end", "left_on", "renewed_from"]


class CouncilLeaveSerializer(Serializer):
    left_on = serializers.DateField()


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("council", OpenApiTypes.INT)]))
class MemberViewSet(viewsets.ModelViewSet):
    """Council members (names and contacts: personal data). POST appoints (station chief, HQ);
    ``renew`` appoints for the next two-year term; ``leave`` records an early end."""

    serializer_class = CouncilMemberSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[CouncilMember]:
        qs = members_visible_to(self.request.user).with_council()  # type: ignore[arg-type]
        council = query_int(self.request.query_params, "council")
        return qs.filter(council_id=council) if council else qs

    def get_object(self) -> CouncilMember:
        return access_member(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        council = access_council_for_members(request.user, fields.pop("council_id"))  # type: ignore[arg-type]
        member = services.appoint_member(request.user, council, **fields)  # type: ignore[arg-type]
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: CouncilMemberSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str | None = None) -> Response:
        """Appoint the member for the next term (a new record starting the day after this term ends)."""
        member = access_member_for_work(request.user, pk)  # type: ignore[arg-type]
        renewal = services.renew_member(request.user, member)  # type: ignore[arg-type]
        return Response(self.get_serializer(renewal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CouncilLeaveSerializer, responses={200: CouncilMemberSerializer})
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        """Record that the member left the council before the end of the term."""
        member = access_member_for_work(request.user, pk)  # type: ignore[arg-type]
        incoming = CouncilLeaveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        member = services.end_membership(request.user, member, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(self.get_serializer(member).data)


class CouncilOpinionSerializer(ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=RequestCategory.objects.active())
    category_label = serializers.SerializerMethodField()
    raised_by = serializers.IntegerField(source="raised_by_id", required=False, allow_null=True)
    status = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "meeting",
            "category",
            "category_label",
            "summary",
            "raised_by",
            "place",
            "status",
            "results",
        ]
        read_only_fields = ["id", "meeting"]

    def _outcome(self, obj: Opinion) -> voice_link.Outcome | None:
        outcomes: dict[int, voice_link.Outcome] = self.context.get("outcomes", {})
        return outcomes.get(obj.pk)

    def get_category_label(self, obj: Opinion) -> str:
        return obj.category.label()

    def get_status(self, obj: Opinion) -> str | None:
        outcome = self._outcome(obj)
        return outcome.status if outcome else None

    def get_results(self, obj: Opinion) -> list[str]:
        outcome = self._outcome(obj)
        return list(outcome.results) if outcome else []


class CouncilMeetingSerializer(ModelSerializer):
    council = serializers.IntegerField(source="council_id")
    attendees = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=200, write_only=True
    )
    present = serializers.SerializerMethodField(help_text="Ids of the members present.")
    opinions = serializers.SerializerMethodField()
    report_back = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "council",
            "held_on",
            "place",
            "status",
            "agenda",
            "minutes",
            "attendees",
            "present",
            "other_attendees",
            "opinions",
            "report_back",
        ]
        read_only_fields = ["id", "present", "opinions", "report_back"]

    def _opinions(self, opinions: list[Opinion]) -> list[dict[str, Any]]:
        lines = opinion_lines(opinions)
        outcomes = {line.opinion.pk: line.outcome for line in lines if line.outcome}
        return CouncilOpinionSerializer(
            [line.opinion for line in lines], many=True, context={"outcomes": outcomes}
        ).data  # type: ignore[return-value]

    def get_present(self, obj: Meeting) -> list[int]:
        return sorted(m.pk for m in obj.attendees.all())

    def get_opinions(self, obj: Meeting) -> list[dict[str, Any]]:
        return self._opinions(list(obj.opinions.select_related("category")))

    def get_report_back(self, obj: Meeting) -> list[dict[str, Any]]:
        """The previous meeting's opinions with their current state (the report back)."""
        previous, _lines = report_back(obj)
        return self._opinions(list(previous.opinions.select_related("category"))) if previous else []


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("council", OpenApiTypes.INT)]))
class MeetingViewSet(viewsets.ModelViewSet):
    """Council meetings with attendance, minutes, opinions and the report back on the previous meeting.

    POST records a meeting (police of the box, chief, HQ); PATCH changes it; POST ``opinions`` notes an
    opinion raised at a held meeting and files it as a council request in the residents' voice queue.
    """

    serializer_class = CouncilMeetingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Meeting]:
        qs = meetings_visible_to(self.request.user).with_council().prefetch_related("attendees")  # type: ignore[arg-type]
        council = query_int(self.request.query_params, "council")
        return qs.filter(council_id=council) if council else qs

    def get_object(self) -> Meeting:
        return access_meeting(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    def _attendees(self, council_id: int, ids: list[int]) -> list[CouncilMember]:
        """The members named by *ids*; unknown ids and members of other councils get the same error."""
        found = list(CouncilMember.objects.filter(council_id=council_id, pk__in=ids))
        if len(found) != len(set(ids)):
            raise ValidationError({"attendees": [gettext("Only members of this council can attend.")]})
        return found

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        council = access_council_for_meetings(request.user, fields.pop("council_id"))  # type: ignore[arg-type]
        fields["attendees"] = self._attendees(council.pk, fields.get("attendees", []))
        meeting = services.record_meeting(request.user, council, **fields)  # type: ignore[arg-type]
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = access_meeting_for_work(request.user, self.kwargs["pk"])  # type: ignore[arg-type]
        serializer = self.get_serializer(meeting, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "council_id" in changes and changes.pop("council_id") != meeting.council_id:
            raise ValidationError({"council": [gettext("A meeting cannot move to another council.")]})
        attendees = changes.pop("attendees", None)
        if attendees is not None:
            attendees = self._attendees(meeting.council_id, attendees)
        meeting = services.update_meeting(request.user, meeting, attendees=attendees, **changes)  # type: ignore[arg-type]
        return Response(self.get_serializer(meeting).data)

    @extend_schema(request=CouncilOpinionSerializer, responses={201: CouncilOpinionSerializer})
    @action(detail=True, methods=["post"])
    def opinions(self, request: Request, pk: str | None = None) -> Response:
        """Note an opinion raised at this (held) meeting; it becomes a council request in the voice queue."""
        meeting = access_meeting_for_work(request.user, pk)  # type: ignore[arg-type]
        incoming = CouncilOpinionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        raised_by_id = fields.pop("raised_by_id", None)
        raised_by = None
        if raised_by_id is not None:
            raised_by = CouncilMember.objects.filter(council_id=meeting.council_id, pk=raised_by_id).first()
            if raised_by is None:
                raise ValidationError({"raised_by": [gettext("Not a member of this council.")]})
        opinion = services.record_opinion(request.user, meeting, raised_by=raised_by, **fields)  # type: ignore[arg-type]
        return Response(CouncilOpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)
