"""REST API of lost property: items, loss reports, matching suggestions, handovers and tasks.

Reads follow the page rules (the boxes a user may see, finder and owner details masked outside the
box's own staff, chief and HQ); writes go through ``koban.lostfound.services`` like the pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_box_for_work,
    access_item,
    access_item_for_work,
    access_report,
    access_task,
    find_or_record,
    items_visible_to,
    reports_visible_to,
    tasks_workable_by,
)
from koban.lostfound import services
from koban.lostfound.models import FoundItem, Handover, ItemCategory, ItemTask, LossReport
from koban.lostfound.queries import items_for_report, person_details, reports_for_item


class _PersonMixin:
    def _person(self, obj: Any, name: str, contact: str) -> dict[str, Any]:
        return person_details(self.context["request"].user, obj.box, name, contact)  # type: ignore[attr-defined]


class FoundItemSerializer(_PersonMixin, serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=ItemCategory.objects.all())
    finder = serializers.SerializerMethodField()
    found_lon = serializers.FloatField(write_only=True, required=False, allow_null=True)
    found_lat = serializers.FloatField(write_only=True, required=False, allow_null=True)
    found_point = serializers.SerializerMethodField()
    finder_name = serializers.CharField(write_only=True, required=False, allow_blank=True)
    finder_contact = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = FoundItem
        fields = [
            "id",
            "box",
            "receipt_number",
            "category",
            "description",
            "found_at",
            "found_place",
            "found_point",
            "found_lon",
            "found_lat",
            "handed_in_at",
            "late_hand_in",
            "found_in_facility",
            "finder",
            "finder_name",
            "finder_contact",
            "finder_claims_reward",
            "finder_claims_item",
            "value_estimate",
            "cash_amount",
            "storage_location",
            "state",
            "state_changed_on",
            "notice_ends_on",
            "finder_claim_ends_on",
            "disposable_from",
            "disposal_note",
        ]
        read_only_fields = [
            "receipt_number",
            "late_hand_in",
            "state",
            "state_changed_on",
            "notice_ends_on",
            "finder_claim_ends_on",
            "disposable_from",
            "disposal_note",
        ]

    def get_finder(self, obj: FoundItem) -> dict[str, Any]:
        return self._person(obj, obj.finder_name, obj.finder_contact)

    def get_found_point(self, obj: FoundItem) -> list[float] | None:
        return [obj.found_point.x, obj.found_point.y] if obj.found_point else None


class LossReportSerializer(_PersonMixin, serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=ItemCategory.objects.all())
    owner = serializers.SerializerMethodField()
    owner_name = serializers.CharField(write_only=True)
    owner_contact = serializers.CharField(write_only=True)
    lost_lon = serializers.FloatField(write_only=True, required=False, allow_null=True)
    lost_lat = serializers.FloatField(write_only=True, required=False, allow_null=True)

    class Meta:
        model = LossReport
        fields = [
            "id",
            "box",
            "reported_at",
            "owner",
            "owner_name",
            "owner_contact",
            "lost_from",
            "lost_to",
            "lost_place",
            "lost_lon",
            "lost_lat",
            "category",
            "description",
            "status",
        ]
        read_only_fields = ["reported_at", "status"]

    def get_owner(self, obj: LossReport) -> dict[str, Any]:
        return self._person(obj, obj.owner_name, obj.owner_contact)


class HandoverSerializer(serializers.ModelSerializer):
    loss_report = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "recipient",
            "loss_report",
            "recipient_name",
            "recipient_contact",
            "id_document",
            "id_number_last_digits",
            "handed_over_at",
            "reward_percent",
            "note",
        ]
        extra_kwargs = {"handed_over_at": {"required": False}}


class MatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField()
    parts = serializers.DictField(child=serializers.FloatField())
    shared_tokens = serializers.ListField(child=serializers.CharField())
    distance_m = serializers.FloatField(allow_null=True)
    time_gap_hours = serializers.FloatField()


class ItemTaskSerializer(serializers.ModelSerializer):
    receipt_number = serializers.CharField(source="item.receipt_number", read_only=True)
    box = serializers.IntegerField(source="item.box_id", read_only=True)

    class Meta:
        model = ItemTask
        fields = ["id", "item", "receipt_number", "box", "kind", "due_on", "created_on", "done_at"]


def _bad_request(exc: ValidationError) -> Response:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return Response(detail, status=status.HTTP_400_BAD_REQUEST)


def _matches(suggestions: list[Any], label: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": s.obj.pk,
            "name": label(s.obj),
            "score": s.match.score,
            "parts": s.match.parts,
            "shared_tokens": list(s.match.shared_tokens),
            "distance_m": s.match.distance_m,
            "time_gap_hours": s.match.time_gap_hours,
        }
        for s in suggestions
    ]


class FoundItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Found items of the boxes the user may see; ``?state=`` and ``?box=`` filter. POST issues a receipt."""

    serializer_class = FoundItemSerializer

    def get_queryset(self) -> QuerySet[FoundItem]:
        qs = items_visible_to(self.request.user).with_related()  # type: ignore[arg-type]
        state = self.request.query_params.get("state")
        if state:
            qs = qs.filter(state=state)
        box = self.request.query_params.get("box", "")
        if box.isdigit():
            qs = qs.filter(box_id=int(box))
        return qs

    def get_object(self) -> FoundItem:
        return access_item(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        box = access_box_for_work(request.user, data.pop("box").pk)  # type: ignore[arg-type]
        try:
            item = services.receive_item(request.user, box, **data)
        except ValidationError as exc:
            return _bad_request(exc)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True)
    def matches(self, request: Request, pk: str | None = None) -> Response:
        """Open loss reports ranked by how well they fit this item, with the parts of each score."""
        item = self.get_object()
        return Response(_matches(reports_for_item(request.user, item), str))

    @extend_schema(request=HandoverSerializer, responses=HandoverSerializer)
    @action(detail=True, methods=["post"])
    def handover(self, request: Request, pk: str | None = None) -> Response:
        """Record the handover of the item to its owner or finder, with the identity check."""
        item = access_item_for_work(request.user, pk)  # type: ignore[arg-type]
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        report_id = data.pop("loss_report", None)
        report = None
        if report_id:
            report = find_or_record(request.user, reports_visible_to(request.user), report_id)  # type: ignore[arg-type]
            if report is None:
                return Response({"loss_report": ["Unknown loss report."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            handover = services.hand_over(request.user, item, loss_report=report, **data)
        except ValidationError as exc:
            return _bad_request(exc)
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)


class LossReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Loss reports of the boxes the user may see; ``?status=open`` filters."""

    serializer_class = LossReportSerializer

    def get_queryset(self) -> QuerySet[LossReport]:
        qs = reports_visible_to(self.request.user).select_related("box", "category")  # type: ignore[arg-type]
        status_filter = self.request.query_params.get("status")
        return qs.filter(status=status_filter) if status_filter else qs

    def get_object(self) -> LossReport:
        return access_report(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        box = access_box_for_work(request.user, data.pop("box").pk)  # type: ignore[arg-type]
        data.pop("status", None)
        try:
            report = services.report_loss(request.user, box, **data)
        except ValidationError as exc:
            return _bad_request(exc)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True)
    def matches(self, request: Request, pk: str | None = None) -> Response:
        """Found items ranked by how well they fit this report."""
        report = self.get_object()
        return Response(_matches(items_for_report(request.user, report), lambda i: i.receipt_number))


class ItemTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Open tasks of the boxes the user works on (the daily list)."""

    serializer_class = ItemTaskSerializer

    def get_queryset(self) -> QuerySet[ItemTask]:
        return tasks_workable_by(self.request.user).filter(done_at__isnull=True).select_related("item")  # type: ignore[arg-type]

    def get_object(self) -> ItemTask:
        return access_task(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]
