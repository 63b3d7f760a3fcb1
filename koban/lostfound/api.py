"""REST API of lost property: items, loss reports, matching suggestions, handovers and tasks.

Reads follow the page rules (the boxes a user may see, finder and owner details masked outside the
box's own staff, chief and HQ); writes go through ``koban.lostfound.services`` like the pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_box_for_work,
    access_item,
    access_item_for_work,
    access_report,
    can_dispose_property,
    can_handle_property,
    fetch_or_refuse,
    find_or_record,
    items_matchable_by,
    items_visible_to,
    reports_visible_to,
    tasks_workable_by,
)
from koban.lib.api import ModelSerializer, Serializer
from koban.lostfound import custody, notify, services
from koban.lostfound.filters import FoundItemFilter, LossReportFilter
from koban.lostfound.models import (
    MAIL_LANGUAGE_CHOICES,
    FoundItem,
    Handover,
    ItemCategory,
    ItemTask,
    LossReport,
)
from koban.lostfound.queries import items_for_report, person_details, reports_for_item


class _PersonMixin:
    def _person(self, obj: Any, name: str, contact: str, email: str = "") -> dict[str, Any]:
        return person_details(self.context["request"].user, obj.box, name, contact, obj, email)  # type: ignore[attr-defined]


class FoundItemSerializer(_PersonMixin, ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=ItemCategory.objects.all())
    finder = serializers.SerializerMethodField()
    found_lon = serializers.FloatField(write_only=True, required=False, allow_null=True)
    found_lat = serializers.FloatField(write_only=True, required=False, allow_null=True)
    found_point = serializers.SerializerMethodField()
    finder_name = serializers.CharField(write_only=True, required=False, allow_blank=True)
    finder_contact = serializers.CharField(write_only=True, required=False, allow_blank=True)
    finder_email = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=254)
    finder_language = serializers.ChoiceField(
        choices=MAIL_LANGUAGE_CHOICES, write_only=True, required=False, allow_blank=True
    )

    found_outside_confirmed = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="The find point is right although it lies outside the jurisdiction (needs police powers).",
    )

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
            "finder_email",
            "finder_language",
            "finder_notified_at",
            "facility_name",
            "facility_claims_reward",
            "facility_claims_item",
            "finder_claims_reward",
            "finder_claims_item",
            "value_estimate",
            "cash_amount",
            "personal_data_inside",
            "personal_data_note",
            "sold_on",
            "sale_proceeds",
            "storage_location",
            "custody_station",
            "custody_since",
            "state",
            "state_changed_on",
            "notice_ends_on",
            "finder_claim_ends_on",
            "disposable_from",
            "disposal_note",
            "found_outside_confirmed",
        ]
        read_only_fields = [
            "receipt_number",
            "late_hand_in",
            "finder_notified_at",
            "sold_on",
            "sale_proceeds",
            "custody_station",
            "custody_since",
            "state",
            "state_changed_on",
            "notice_ends_on",
            "finder_claim_ends_on",
            "disposable_from",
            "disposal_note",
        ]

    def get_finder(self, obj: FoundItem) -> dict[str, Any]:
        return self._person(obj, obj.finder_name, obj.finder_contact, obj.finder_email)

    def get_found_point(self, obj: FoundItem) -> list[float] | None:
        return [obj.found_point.x, obj.found_point.y] if obj.found_point else None


class LossReportSerializer(_PersonMixin, ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=ItemCategory.objects.all())
    owner = serializers.SerializerMethodField()
    owner_name = serializers.CharField(write_only=True)
    owner_contact = serializers.CharField(write_only=True)
    owner_email = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=254)
    owner_language = serializers.ChoiceField(
        choices=MAIL_LANGUAGE_CHOICES, write_only=True, required=False, allow_blank=True
    )
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
            "owner_email",
            "owner_language",
            "lost_from",
            "lost_to",
            "lost_place",
            "lost_lon",
            "lost_lat",
            "category",
            "description",
            "status",
            "matched_item",
            "matched_at",
            "owner_notified_at",
        ]
        read_only_fields = ["reported_at", "status", "matched_item", "matched_at", "owner_notified_at"]

    def get_owner(self, obj: LossReport) -> dict[str, Any]:
        return self._person(obj, obj.owner_name, obj.owner_contact, obj.owner_email)


class HandoverSerializer(ModelSerializer):
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
            "finder_reward",
            "facility_reward",
            "withheld",
            "note",
        ]
        read_only_fields = ["finder_reward", "facility_reward", "withheld"]
        extra_kwargs = {"handed_over_at": {"required": False}}


class MatchSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField()
    parts = serializers.DictField(child=serializers.FloatField())
    shared_tokens = serializers.ListField(child=serializers.CharField())
    distance_m = serializers.FloatField(allow_null=True)
    time_gap_hours = serializers.FloatField()
    box_name = serializers.CharField()
    station_name = serializers.CharField()
    readable = serializers.BooleanField(help_text="False for a match of another station: not openable.")


class ItemTaskSerializer(ModelSerializer):
    receipt_number = serializers.CharField(source="item.receipt_number", read_only=True)
    box = serializers.IntegerField(source="item.box_id", read_only=True)

    class Meta:
        model = ItemTask
        fields = ["id", "item", "receipt_number", "box", "kind", "due_on", "created_on", "done_at"]


class NoteSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class DisposalSerializer(Serializer):
    note = serializers.CharField(
        allow_blank=True,
        max_length=300,
        help_text="How the item was disposed of (sold, destroyed, data erased)",
    )


class TransferSerializer(Serializer):
    storage_location = serializers.CharField(
        allow_blank=True, max_length=200, help_text="Where the station keeps the item (safe, store room …)"
    )
    at = serializers.DateTimeField(required=False, help_text="When the station took the item (default now)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class StorageSerializer(Serializer):
    storage_location = serializers.CharField(
        allow_blank=True, max_length=200, help_text="Where the item is kept from now on"
    )
    at = serializers.DateTimeField(required=False, help_text="When it moved (default now)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class PersonalDataSerializer(Serializer):
    inside = serializers.BooleanField(help_text="The item carries personal data (a licence, cards, a phone)")
    personal_data_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="What holds personal data"
    )


class SaleSerializer(Serializer):
    proceeds = serializers.IntegerField(min_value=1, max_value=10**12, help_text="Sale price in yen")
    perishable = serializers.BooleanField(
        required=False, default=False, help_text="Sold early: would perish or cost too much to keep"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ConfirmMatchSerializer(Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The found item's id")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


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
            "box_name": s.obj.box.name,
            "station_name": s.obj.box.station.name,
            "readable": s.readable,
        }
        for s in suggestions
    ]


class FoundItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Found items of the boxes the user may see, filtered like the page (``q``, ``state``, ``box``).
    POST issues a receipt."""

    serializer_class = FoundItemSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FoundItemFilter

    def get_queryset(self) -> QuerySet[FoundItem]:
        return items_visible_to(self.request.user).with_related().order_by("-handed_in_at", "-id")  # type: ignore[arg-type]

    def get_object(self) -> FoundItem:
        return access_item(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        box = access_box_for_work(request.user, data.pop("box").pk)  # type: ignore[arg-type]
        item = services.receive_item(request.user, box, **data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def matches(self, request: Request, pk: str | None = None) -> Response:
        """Open loss reports ranked by how well they fit this item, with the parts of each score."""
        item = self.get_object()
        return Response(_matches(reports_for_item(request.user, item), str))

    @extend_schema(request=HandoverSerializer, responses={201: HandoverSerializer})
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
                raise ValidationError({"loss_report": [gettext("Unknown loss report.")]})
        handover = services.hand_over(request.user, item, loss_report=report, **data)
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisposalSerializer, responses=FoundItemSerializer)
    @action(detail=True, methods=["post"])
    def dispose(self, request: Request, pk: str | None = None) -> Response:
        """Record that a vested item, or a cheap bulky one after its waiting period, was sold or destroyed."""
        item = self.get_object()
        _require(
            can_dispose_property(request.user, item.box),  # type: ignore[arg-type]
            gettext("No permission to dispose of this item."),
        )
        serializer = DisposalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.dispose_item(request.user, item, note=serializer.validated_data["note"])
        return Response(self.get_serializer(item).data)

    @extend_schema(request=TransferSerializer, responses=FoundItemSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str | None = None) -> Response:
        """Hand the item to the custody of its box's station; ``storage_location`` says where it is kept."""
        item = self.get_object()
        _require(can_handle_property(request.user, item.box), gettext("No permission to work on this item."))  # type: ignore[arg-type]
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.transfer_to_station(request.user, item, **serializer.validated_data)
        return Response(self.get_serializer(item).data)

    def _work(self, serializer_class: Any, verb: Any, allowed: Any, pk: str | None) -> Response:
        item = self.get_object()
        _require(allowed(self.request.user, item.box), gettext("No permission to work on this item."))
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        item = verb(self.request.user, item, **serializer.validated_data)
        return Response(self.get_serializer(item).data)

    @extend_schema(request=StorageSerializer, responses=FoundItemSerializer)
    @action(detail=True, methods=["post"])
    def storage(self, request: Request, pk: str | None = None) -> Response:
        """Record where the item is kept from now on; the old place stays in its storage history."""
        return self._work(StorageSerializer, custody.move_storage, can_handle_property, pk)

    @extend_schema(request=PersonalDataSerializer, responses=FoundItemSerializer)
    @action(detail=True, methods=["post"], url_path="personal-data")
    def personal_data(self, request: Request, pk: str | None = None) -> Response:
        """Flag whether the item carries personal data (kept back from the finder and facility)."""
        return self._work(PersonalDataSerializer, custody.mark_personal_data, can_handle_property, pk)

    @extend_schema(request=SaleSerializer, responses=FoundItemSerializer)
    @action(detail=True, methods=["post"])
    def sell(self, request: Request, pk: str | None = None) -> Response:
        """Record the sale of the item under the Act and its proceeds (police of the holding box)."""
        return self._work(SaleSerializer, custody.sell_item, can_dispose_property, pk)


class LossReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Loss reports of the boxes the user may see, filtered like the page (``q``, ``status``, ``box``)."""

    serializer_class = LossReportSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LossReportFilter

    def get_queryset(self) -> QuerySet[LossReport]:
        reports = reports_visible_to(self.request.user).select_related("box", "category")  # type: ignore[arg-type]
        return reports.order_by("-reported_at", "-id")

    def get_object(self) -> LossReport:
        return access_report(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        box = access_box_for_work(request.user, data.pop("box").pk)  # type: ignore[arg-type]
        data.pop("status", None)
        report = services.report_loss(request.user, box, **data)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def matches(self, request: Request, pk: str | None = None) -> Response:
        """Found items ranked by how well they fit this report."""
        report = self.get_object()
        return Response(_matches(items_for_report(request.user, report), lambda i: i.receipt_number))

    @extend_schema(request=NoteSerializer, responses=LossReportSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close an open report that will not be matched (the owner found the item elsewhere, withdrew)."""
        report = self.get_object()
        _require(
            can_handle_property(request.user, report.box),  # type: ignore[arg-type]
            gettext("No permission to work on this report."),
        )
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.close_loss_report(request.user, report, note=serializer.validated_data["note"])
        return Response(self.get_serializer(report).data)

    @extend_schema(request=ConfirmMatchSerializer, responses=LossReportSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm that a found item (anywhere in the agency) is the one this report describes; the
        owner is e-mailed the receipt number and the office to contact."""
        report = self.get_object()
        _require(
            can_handle_property(request.user, report.box),  # type: ignore[arg-type]
            gettext("No permission to work on this report."),
        )
        serializer = ConfirmMatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: Any = request.user
        item = find_or_record(user, items_matchable_by(user), serializer.validated_data["item"])
        if item is None:
            raise ValidationError({"item": [gettext("Unknown found item.")]})
        report = notify.confirm_match(request.user, report, item)
        return Response(self.get_serializer(report).data)


class ItemTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Open tasks of the boxes the user works on (the daily list); POST ``complete`` ticks one off."""

    serializer_class = ItemTaskSerializer

    def get_queryset(self) -> QuerySet[ItemTask]:
        return tasks_workable_by(self.request.user).filter(done_at__isnull=True).select_related("item")  # type: ignore[arg-type]

    def get_object(self) -> ItemTask:
        # Done tasks leave the list, so they answer 404 like unknown ones.
        return fetch_or_refuse(self.request.user, self.get_queryset(), self.kwargs["pk"])

    @extend_schema(request=NoteSerializer, responses=ItemTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Tick the task off, with an optional note of what was done."""
        task = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.complete_task(request.user, task, note=serializer.validated_data["note"])
        return Response(self.get_serializer(task).data)
