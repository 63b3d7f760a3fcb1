"""REST API of the household registry: GeoJSON households of the boxes one visits, adding an address,
the visits of a household and recording one. Coverage figures: ``coverage_view``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_household,
    boxes_visiting_for,
    coverage_boxes_visible_to,
    find_or_record,
    households_visible_to,
)
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.households import services
from koban.households.coverage import coverage
from koban.households.models import Household, Kind, Outcome, Topic, Visit
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages, ModelSerializer, Serializer, query_int
from koban.lib.geo import point_from_lonlat
from koban.voice.models import RequestCategory


class HouseholdSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = Household
        geo_field = "point"
        fields = [
            "id",
            "box",
            "beat",
            "address",
            "kind",
            "building",
            "name",
            "needs_care",
            "can_enter",
            "last_contact_at",
        ]


class HouseholdInputSerializer(Serializer):
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    address = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.HOUSE)
    building = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    needs_care = serializers.BooleanField(required=False, default=False)
    can_enter = serializers.BooleanField(required=False, default=True)


class VisitSerializer(ModelSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "box",
            "officer",
            "visited_at",
            "outcome",
            "topics",
            "note",
            "requests",
            "voice_request",
        ]
        read_only_fields = fields


class VisitInputSerializer(Serializer):
    visited_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=Topic.choices),
        required=False,
        default=list,
        max_length=len(Topic.values),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    requests = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    request_category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RequestCategory.objects.active(),
        required=False,
        allow_null=True,
        help_text="Hand the requests to the residents' requests queue under this category (its code).",
    )


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """Households and businesses of the boxes the user visits (their own box; a chief: the station's),
    as GeoJSON. HQ reads coverage figures instead. POST adds an address placed on the map; POST to
    ``visits`` records a visit, GET lists the household's visits."""

    serializer_class = HouseholdSerializer
    pagination_class = GeoJsonPages

    def get_queryset(self) -> QuerySet[Household]:
        qs = households_visible_to(self.request.user)  # type: ignore[arg-type]
        box = query_int(self.request.query_params, "box")
        beat = query_int(self.request.query_params, "beat")
        if box:
            qs = qs.of_box(box)
        if beat:
            qs = qs.in_beat(beat)
        return qs.order_by("pk")

    def get_object(self) -> Household:
        household = access_household(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]
        note_read([household], Household.PERSONAL_FIELDS)
        return household

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            note_read(page, Household.PERSONAL_FIELDS)
        return page

    @extend_schema(request=HouseholdInputSerializer, responses={201: HouseholdSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        if not boxes_visiting_for(user).exists():
            raise PermissionDenied(gettext("Only the officers who visit a beat add its addresses."))
        incoming = HouseholdInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        point = point_from_lonlat(values.pop("lon"), values.pop("lat"), ("lon", "lat"), required=True)
        building_id = values.pop("building", None)
        building = None
        if building_id is not None:
            building = find_or_record(user, households_visible_to(user), building_id)
            if building is None:
                raise serializers.ValidationError({"building": [gettext("Unknown building.")]})
        assert point is not None  # noqa: S101 - required=True raises instead
        household = services.add_household(
            user, point=point, within=boxes_visiting_for(user), building=building, **values
        )
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: VisitSerializer(many=True)})
    @extend_schema(methods=["POST"], request=VisitInputSerializer, responses={201: VisitSerializer})
    @action(detail=True, methods=["get", "post"])
    def visits(self, request: Request, pk: str | None = None) -> Response:
        """The household's visits, newest first; POST records one (by the signed-in officer)."""
        household = self.get_object()
        if request.method == "GET":
            visits = list(household.visits.all()[:200])
            note_read(visits, Visit.PERSONAL_FIELDS)
            return Response(VisitSerializer(visits, many=True).data)
        incoming = VisitInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        visit = services.record_visit(request.user, household, **incoming.validated_data)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "months", OpenApiTypes.INT, description="Length of the period ending now (1–36, default 12)"
        ),
        OpenApiParameter("station", OpenApiTypes.INT, description="Only the boxes of this station"),
    ],
    responses=OpenApiTypes.OBJECT,
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def coverage_view(request: Request) -> Response:
    """Visit coverage of the boxes the user may see (HQ: the agency; others: their station): figures per
    station, box and beat and by month. Aggregates only: no household is named."""
    user: User = request.user  # type: ignore[assignment]
    boxes = coverage_boxes_visible_to(user)
    months = query_int(request.query_params, "months") or 12
    if not 1 <= months <= 36:
        raise serializers.ValidationError({"months": [gettext("Give a number of months from 1 to 36.")]})
    station = query_int(request.query_params, "station")
    if station:
        boxes = boxes.filter(station_id=station)
    end = timezone.now()
    result = coverage(boxes, end - datetime.timedelta(days=round(months * 30.44)), end)
    return Response(
        {
            "start": result.start,
            "end": result.end,
            "total": result.total.as_dict(),
            "stations": {str(k): v.as_dict() for k, v in result.by_station.items()},
            "boxes": {str(k): v.as_dict() for k, v in result.by_box.items()},
            "beats": {str(k): v.as_dict() for k, v in result.by_beat.items()},
            "months": result.months,
        }
    )
