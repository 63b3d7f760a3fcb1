"""REST API of the shift handover log (引継簿): list, read and write entries; acknowledge one.

Only the officers of the box and their station chief reach an entry (``accounts.access.handover``);
for anyone else an entry or a box reads as unknown (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import access_handover_box, access_handover_entry, handover_entries_visible_to
from koban.accounts.models import User
from koban.lib.api import ModelSerializer, Serializer, query_int
from koban.rosters import handover
from koban.rosters.models import HandoverAcknowledgement, HandoverEntry, HandoverPriority


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class AcknowledgementSerializer(ModelSerializer):
    officer_name = serializers.CharField(source="officer.__str__", read_only=True)

    class Meta:
        model = HandoverAcknowledgement
        fields = ["officer", "officer_name", "acknowledged_at"]
        read_only_fields = fields


class HandoverEntrySerializer(ModelSerializer):
    written_by_name = serializers.CharField(source="written_by.__str__", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    links = serializers.ListField(child=serializers.CharField(), read_only=True)
    acknowledgements = AcknowledgementSerializer(many=True, read_only=True)

    class Meta:
        model = HandoverEntry
        fields = [
            "id",
            "box",
            "written_by",
            "written_by_name",
            "written_at",
            "priority",
            "priority_label",
            "text",
            "links",
            "acknowledgements",
        ]
        read_only_fields = fields


class WriteHandoverSerializer(Serializer):
    box = serializers.IntegerField(required=False, help_text="Default: the user's own box.")
    priority = serializers.ChoiceField(choices=HandoverPriority.choices, default=HandoverPriority.ROUTINE)
    text = serializers.CharField(max_length=handover.TEXT_LIMIT)
    links = serializers.ListField(
        child=serializers.CharField(max_length=handover.LINK_LENGTH),
        required=False,
        default=list,
        max_length=handover.LINKS_LIMIT,
        help_text="Pages of this site the entry refers to, as paths (/incidents/12/).",
    )


class HandoverEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The handover log of the boxes the user keeps, newest first; ``?box=`` for one box,
    ``?waiting=1`` for the entries the user has not acknowledged (and did not write)."""

    serializer_class = HandoverEntrySerializer

    def get_object(self) -> HandoverEntry:
        entry = access_handover_entry(_user(self.request), self.kwargs["pk"])
        return self._with_acks(HandoverEntry.objects.filter(pk=entry.pk)).get()

    @staticmethod
    def _with_acks(qs: QuerySet[HandoverEntry]) -> QuerySet[HandoverEntry]:
        acks = HandoverAcknowledgement.objects.select_related("officer")
        return qs.select_related("written_by").prefetch_related(Prefetch("acknowledgements", queryset=acks))

    @extend_schema(
        parameters=[OpenApiParameter("box", OpenApiTypes.INT), OpenApiParameter("waiting", OpenApiTypes.INT)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[HandoverEntry]:
        user = _user(self.request)
        qs = handover_entries_visible_to(user)
        box = query_int(self.request.query_params, "box")
        if box:
            qs = qs.filter(box_id=box)
        if query_int(self.request.query_params, "waiting"):
            qs = qs.unacknowledged_by(user)
        return self._with_acks(qs).order_by("-written_at", "-id")

    @extend_schema(request=WriteHandoverSerializer, responses={201: HandoverEntrySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Hand something over to the next shift of the box."""
        data = WriteHandoverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = _user(request)
        chosen = v.get("box") or user.box_id
        if not chosen:
            raise ValidationError({"box": _("This field is required.")})
        box = access_handover_box(user, chosen)
        entry = handover.write_handover(
            user, box, v["text"], timezone.now(), priority=v["priority"], links=v["links"]
        )
        body = HandoverEntrySerializer(self._with_acks(HandoverEntry.objects.filter(pk=entry.pk)).get()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: HandoverEntrySerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """The user (an officer of the box) has read the entry; acknowledging twice changes nothing."""
        entry = access_handover_entry(_user(request), pk)
        handover.acknowledge_handover(_user(request), entry, timezone.now())
        return Response(self.get_serializer(self.get_object()).data)
