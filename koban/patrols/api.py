"""REST API of patrols: GeoJSON routes, recording (GPX upload or drawn GeoJSON) and beat coverage."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_box_for_patrols,
    access_patrol,
    access_patrol_for_work,
    boxes_patrollable_by,
    boxes_visible_to,
    fetch_or_refuse,
    observations_visible_to,
    patrol_officers,
    patrols_visible_to,
)
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.geography.models import Beat
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages, Serializer, query_date, query_int
from koban.patrols import services
from koban.patrols.coverage import beat_coverage
from koban.patrols.filters import PatrolFilter
from koban.patrols.models import Observation, Patrol, PatrolCard
from koban.runs.uploads import upload_rejection


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
        note_read(obj.observations.all(), Observation.PERSONAL_FIELDS)
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
        note_read(obj.cards.all(), PatrolCard.PERSONAL_FIELDS)
        return [{"address": c.address, "left_at": c.left_at, "note": c.note} for c in obj.cards.all()]


OUTSIDE_CONFIRMED_HELP = (
    "The place is right although it lies outside the box's jurisdiction (needs police powers)."
)


class PatrolInputSerializer(Serializer):
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
    outside_confirmed = serializers.BooleanField(
        required=False, default=False, help_text=OUTSIDE_CONFIRMED_HELP
    )


class StopInputSerializer(Serializer):
    """A stop recorded by hand (standing watch at a crossing, a check on a park), within the patrol's times."""

    lon = serializers.FloatField()
    lat = serializers.FloatField()
    arrived_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    outside_confirmed = serializers.BooleanField(
        required=False, default=False, help_text=OUTSIDE_CONFIRMED_HELP
    )


class ObservationInputSerializer(Serializer):
    """A hazard, a suspicious person, advice given or another note from the patrol; the point is optional."""

    kind = serializers.ChoiceField(choices=Observation.Kind.choices)
    observed_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=5000)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    outside_confirmed = serializers.BooleanField(
        required=False, default=False, help_text=OUTSIDE_CONFIRMED_HELP
    )


class CardInputSerializer(Serializer):
    """A patrol card (巡回カード) left at a home; the point is optional."""

    address = serializers.CharField(max_length=300)
    left_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    outside_confirmed = serializers.BooleanField(
        required=False, default=False, help_text=OUTSIDE_CONFIRMED_HELP
    )


class PatrolViewSet(viewsets.ReadOnlyModelViewSet):
    """Patrols of the boxes the user may see, as GeoJSON; POST records one (GPX file or drawn route).

    POST to ``stops``, ``observations`` or ``cards`` adds a record to a patrol of a box the user patrols.
    """

    serializer_class = PatrolSerializer
    pagination_class = GeoJsonPages
    filter_backends = [DjangoFilterBackend]
    filterset_class = PatrolFilter

    def get_queryset(self) -> QuerySet[Patrol]:
        user = self.request.user
        observations = Prefetch("observations", queryset=observations_visible_to(user))  # type: ignore[arg-type]
        qs = patrols_visible_to(user).prefetch_related("officers", "stops", observations, "cards")  # type: ignore[arg-type]
        return qs.order_by("-started_at", "-id")

    def get_object(self) -> Patrol:
        access_patrol(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]  # refuses and audits
        return super().get_object()  # type: ignore[no-any-return]

    @extend_schema(request=PatrolInputSerializer, responses={201: PatrolSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if too_large := upload_rejection(request):  # type: ignore[arg-type]
            raise ValidationError({"gpx": [too_large]})
        data: dict[str, Any] = {key: request.data.get(key) for key in request.data}
        if hasattr(request.data, "getlist"):  # multipart form: repeated "officers" fields
            data["officers"] = request.data.getlist("officers")
        incoming = PatrolInputSerializer(data=data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        user: User = request.user  # type: ignore[assignment]
        box = access_box_for_patrols(user, values["box"])
        # Officers from elsewhere are refused like unknown ids.
        officers = list(patrol_officers(boxes_patrollable_by(request.user)).filter(pk__in=values["officers"]))  # type: ignore[arg-type]
        if len(officers) != len(set(values["officers"])):
            raise ValidationError({"officers": [gettext("Unknown officer.")]})
        options = {key: values.get(key) for key in ("kind", "started_at", "ended_at", "note")}
        options["outside_confirmed"] = bool(values.get("outside_confirmed"))
        if values.get("gpx") is not None:
            upload = values["gpx"]
            if upload.size > settings.KOBAN_GPX_MAX_BYTES:
                message = gettext("The GPX file is %(size)d bytes; the limit is %(limit)d.")
                raise ValidationError(
                    {"gpx": [message % {"size": upload.size, "limit": settings.KOBAN_GPX_MAX_BYTES}]}
                )
            patrol = services.record_gpx_patrol(
                request.user, box, upload.read(), officers=officers, **options
            )
        elif values.get("route") is not None:
            patrol = services.record_drawn_patrol(
                request.user, box, values["route"], officers=officers, **options
            )
        else:
            raise ValidationError({"route": [gettext("Send a GPX file or a drawn route.")]})
        return Response(PatrolSerializer(patrol).data, status=status.HTTP_201_CREATED)

    def _add(self, request: Request, input_class: type[Serializer], adder: Any) -> Response:
        """Add one record to the patrol through *adder* (a service; its errors answer 400)."""
        patrol = access_patrol_for_work(request.user, self.kwargs["pk"])  # type: ignore[arg-type]
        incoming = input_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        adder(request.user, patrol, **incoming.validated_data)
        fresh = self.get_queryset().get(pk=patrol.pk)
        return Response(PatrolSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StopInputSerializer, responses={201: PatrolSerializer})
    @action(detail=True, methods=["post"])
    def stops(self, request: Request, pk: str | None = None) -> Response:
        """Add a stop to the patrol; answers the patrol with its records."""
        return self._add(request, StopInputSerializer, services.add_stop)

    @extend_schema(request=ObservationInputSerializer, responses={201: PatrolSerializer})
    @action(detail=True, methods=["post"])
    def observations(self, request: Request, pk: str | None = None) -> Response:
        """Add an observation to the patrol; answers the patrol with its records."""
        return self._add(request, ObservationInputSerializer, services.add_observation)

    @extend_schema(request=CardInputSerializer, responses={201: PatrolSerializer})
    @action(detail=True, methods=["post"])
    def cards(self, request: Request, pk: str | None = None) -> Response:
        """Add a patrol card to the patrol; answers the patrol with its records."""
        return self._add(request, CardInputSerializer, services.add_card)


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
    beat_id = query_int(request.query_params, "beat", required=True)
    # Coverage is an aggregate (which streets were walked), open to the station like the beats themselves.
    user: User = request.user  # type: ignore[assignment]
    beat = fetch_or_refuse(user, Beat.objects.filter(box__in=boxes_visible_to(user)), beat_id)
    day = query_date(request.query_params, "date") or timezone.localdate()
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
