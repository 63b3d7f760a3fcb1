"""REST API of patrols: GeoJSON routes, recording (GPX upload or drawn GeoJSON) and beat coverage."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from koban.accounts.access import (
    access_patrol,
    boxes_patrollable_by,
    boxes_visible_to,
    fetch_or_refuse,
    observations_visible_to,
    patrol_officers,
    patrols_visible_to,
)
from koban.accounts.models import User
from koban.geography.models import Beat
from koban.organization.api import GeoJsonPages
from koban.patrols import services
from koban.patrols.coverage import beat_coverage
from koban.patrols.models import Patrol


class PatrolSerializer(GeoFeatureModelSerializer):
    officers: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    stops = serializers.SerializerMethodField()
    observations = serializers.SerializerMethodField()
    cards = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        geo_field = "route"
        fields = [
            "id",
            "box",
            "officers",
            "started_at",
            "ended_at",
            "kind",
            "source",
            "distance_m",
            "note",
            "stops",
            "observations",
            "cards",
        ]

    def get_stops(self, obj: Patrol) -> list[dict[str, Any]]:
        return [
            {
                "lon": s.point.x,
                "lat": s.point.y,
                "arrived_at": s.arrived_at,
                "left_at": s.left_at,
                "dwell_minutes": s.dwell_minutes,
                "detected": s.detected,
            }
            for s in obj.stops.all()
        ]

    def get_observations(self, obj: Patrol) -> list[dict[str, Any]]:
        return [
            {
                "kind": o.kind,
                "observed_at": o.observed_at,
                "note": o.note,
                "lon": o.point.x if o.point else None,
                "lat": o.point.y if o.point else None,
            }
            for o in obj.observations.all()
        ]

    def get_cards(self, obj: Patrol) -> list[dict[str, Any]]:
        return [{"address": c.address, "left_at": c.left_at, "note": c.note} for c in obj.cards.all()]


class PatrolInputSerializer(serializers.Serializer):
    box = serializers.IntegerField()
    officers = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=2)
    kind = serializers.ChoiceField(choices=Patrol.Kind.choices, default=Patrol.Kind.FOOT)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    gpx = serializers.FileField(required=False)
    route = serializers.JSONField(
        required=False, help_text="GeoJSON LineString/MultiLineString (drawn route)"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PatrolViewSet(viewsets.ReadOnlyModelViewSet):
    """Patrols of the boxes the user may see, as GeoJSON; POST records one (GPX file or drawn route)."""

    serializer_class = PatrolSerializer
    pagination_class = GeoJsonPages
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Patrol]:
        user = self.request.user
        observations = Prefetch("observations", queryset=observations_visible_to(user))  # type: ignore[arg-type]
        qs = patrols_visible_to(user).prefetch_related("officers", "stops", observations, "cards")  # type: ignore[arg-type]
        box = self.request.query_params.get("box", "")
        return qs.filter(box_id=int(box)) if box.isdigit() else qs

    def get_object(self) -> Patrol:
        access_patrol(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]  # refuses and audits
        return super().get_object()  # type: ignore[no-any-return]

    @extend_schema(request=PatrolInputSerializer, responses={201: PatrolSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data: dict[str, Any] = {key: request.data.get(key) for key in request.data}
        if hasattr(request.data, "getlist"):  # multipart form: repeated "officers" fields
            data["officers"] = request.data.getlist("officers")
        incoming = PatrolInputSerializer(data=data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        user: User = request.user  # type: ignore[assignment]
        box = fetch_or_refuse(user, boxes_patrollable_by(user).select_related("station"), values["box"])
        # Officers from elsewhere are refused like unknown ids.
        officers = list(patrol_officers(boxes_patrollable_by(request.user)).filter(pk__in=values["officers"]))  # type: ignore[arg-type]
        if len(officers) != len(set(values["officers"])):
            return Response({"officers": ["Unknown officer."]}, status=status.HTTP_400_BAD_REQUEST)
        options = {key: values.get(key) for key in ("kind", "started_at", "ended_at", "note")}
        try:
            if values.get("gpx") is not None:
                upload = values["gpx"]
                if upload.size > settings.KOBAN_GPX_MAX_BYTES:
                    return Response(
                        {
                            "gpx": [
                                f"The GPX file is {upload.size} bytes; the limit is {settings.KOBAN_GPX_MAX_BYTES}."
                            ]
                        },
                        status=status.HTTP_400_BAD_REQUEST,
                    )
                patrol = services.record_gpx_patrol(
                    request.user, box, upload.read(), officers=officers, **options
                )
            elif values.get("route") is not None:
                patrol = services.record_drawn_patrol(
                    request.user, box, values["route"], officers=officers, **options
                )
            else:
                return Response(
                    {"route": ["Send a GPX file or a drawn route."]}, status=status.HTTP_400_BAD_REQUEST
                )
        except ValidationError as exc:
            return Response(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(PatrolSerializer(patrol).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("beat", OpenApiTypes.INT, required=True),
        OpenApiParameter("date", OpenApiTypes.DATE, description="Any day of the week (default today)"),
    ],
    responses=OpenApiTypes.OBJECT,
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def coverage_view(request: Request) -> Response:
    """Patrol coverage of a beat in a week: percentage and a FeatureCollection of streets (or grid cells)."""
    raw_beat = request.query_params.get("beat", "")
    if not raw_beat.isdigit():
        return Response({"beat": ["Give a beat id."]}, status=status.HTTP_400_BAD_REQUEST)
    # Coverage is an aggregate (which streets were walked), open to the station like the beats themselves.
    user: User = request.user  # type: ignore[assignment]
    beat = fetch_or_refuse(user, Beat.objects.filter(box__in=boxes_visible_to(user)), raw_beat)
    raw_date = request.query_params.get("date")
    try:
        day = datetime.date.fromisoformat(raw_date) if raw_date else timezone.localdate()
    except ValueError:
        return Response({"date": ["Use the form YYYY-MM-DD."]}, status=status.HTTP_400_BAD_REQUEST)
    result = beat_coverage(beat, day)
    return Response(
        {
            "beat": beat.pk,
            "week_start": result.start,
            "week_end": result.end,
            "mode": result.mode,
            "percent": result.percent,
            "covered": round(result.covered, 1),
            "total": round(result.total, 1),
            "patrols": result.patrol_count,
            "features": result.geojson(),
        }
    )
