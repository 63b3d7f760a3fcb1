"""REST API for stations and boxes; GeoJSON FeatureCollections for the map.

HQ of an agency opens and edits its stations and boxes here (POST, PATCH) through the audited services of
``koban.organization.services``; everyone else reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point
from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import boxes_visible_to, stations_visible_to
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages, Serializer
from koban.lib.geo import GeometryError, check_lonlat
from koban.lib.geojson import RFC7946GeometryField
from koban.organization import services
from koban.organization.models import Agency, PoliceBox, PoliceStation


class PoliceStationSerializer(GeoFeatureModelSerializer):
    location = RFC7946GeometryField()
    agency = serializers.CharField(source="agency.code", read_only=True)

    class Meta:
        model = PoliceStation
        geo_field = "location"
        fields = ["id", "code", "name", "agency", "address", "phone"]


class PoliceBoxSerializer(GeoFeatureModelSerializer):
    location = RFC7946GeometryField()
    station = serializers.CharField(source="station.code", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = PoliceBox
        geo_field = "location"
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "station",
            "station_name",
            "address",
            "phone",
            "status",
            "staffing_target",
            "location_to_confirm",
        ]


class _PlaceInput(Serializer):
    lon = serializers.FloatField(required=False, help_text="Longitude of the building (WGS84)")
    lat = serializers.FloatField(required=False, help_text="Latitude of the building (WGS84)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Turn ``lon``/``lat`` into ``location`` after checking them (both or neither)."""
        lon, lat = attrs.pop("lon", None), attrs.pop("lat", None)
        if lon is None and lat is None:
            return attrs
        if lon is None or lat is None:
            field = "lon" if lon is None else "lat"
            raise ValidationError({field: [gettext("Give both latitude and longitude, or neither.")]})
        try:
            check_lonlat(lon, lat)
        except GeometryError as exc:
            raise ValidationError({"lat" if "latitude" in str(exc) else "lon": [str(exc)]}) from exc
        attrs["location"] = Point(lon, lat, srid=4326)
        return attrs


class StationInputSerializer(_PlaceInput):
    """A station to open (POST; ``lon``/``lat`` required) or the fields to change (PATCH)."""

    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        help_text="Agency code; defaults to the user's agency (POST only)",
    )
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class BoxInputSerializer(_PlaceInput):
    """A box to open (POST; ``lon``/``lat`` required) or the fields to change (PATCH; a new ``station``
    moves the box)."""

    station = serializers.PrimaryKeyRelatedField(queryset=PoliceStation.objects.all())
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    kind = serializers.CharField(
        max_length=32, required=False, help_text="A configured box kind (koban, chuzaisho …)"
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=PoliceBox.Status.choices, required=False)  # type: ignore[assignment]
    staffing_target = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    opened_on = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only stations the user may see can be named; others read as unknown ids.
        self.fields["station"].queryset = stations_visible_to(user).select_related("agency")  # type: ignore[attr-defined]


def _input(serializer: Serializer) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PoliceStationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Police stations the user may see, as GeoJSON features (point = the station building).

    HQ of the agency opens a station with POST and changes it with PATCH (every change audited).
    """

    serializer_class = PoliceStationSerializer
    pagination_class = GeoJsonPages
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PoliceStation]:
        return stations_visible_to(self.request.user).select_related("agency")  # type: ignore[arg-type]

    @extend_schema(request=StationInputSerializer, responses={201: PoliceStationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _input(StationInputSerializer(data=request.data))
        if "location" not in values:
            raise ValidationError({"lon": [gettext("Give the station's latitude and longitude.")]})
        agency = values.pop("agency", None) or getattr(request.user, "agency", None)
        if agency is None:
            raise ValidationError({"agency": [gettext("Say which agency the station belongs to.")]})
        station = services.create_station(request.user, agency, **values)
        return Response(PoliceStationSerializer(station).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StationInputSerializer, responses={200: PoliceStationSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        station = self.get_object()
        values = _input(StationInputSerializer(data=request.data, partial=True))
        if "agency" in values:
            raise ValidationError({"agency": [gettext("A station cannot move to another agency.")]})
        services.update_station(request.user, station, **values)
        return Response(PoliceStationSerializer(self.get_queryset().get(pk=station.pk)).data)


class PoliceBoxViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Police boxes (koban, chuzaisho, …) the user may see, as GeoJSON features.

    HQ of the agency opens a box with POST and changes or moves it with PATCH (every change audited).
    """

    serializer_class = PoliceBoxSerializer
    pagination_class = GeoJsonPages
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=BoxInputSerializer, responses={201: PoliceBoxSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = _input(BoxInputSerializer(data=request.data, user=request.user))
        if "location" not in values:
            raise ValidationError({"lon": [gettext("Give the box's latitude and longitude.")]})
        station = values.pop("station")
        box = services.create_box(request.user, station, **values)
        return Response(
            PoliceBoxSerializer(self.get_queryset().get(pk=box.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=BoxInputSerializer, responses={200: PoliceBoxSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        box = self.get_object()
        values = _input(BoxInputSerializer(data=request.data, partial=True, user=request.user))
        services.update_box(request.user, box, **values)
        return Response(PoliceBoxSerializer(self.get_queryset().get(pk=box.pk)).data)

    def get_queryset(self) -> QuerySet[PoliceBox]:
        qs = boxes_visible_to(self.request.user).with_station()  # type: ignore[arg-type,attr-defined]
        station = self.request.query_params.get("station")
        if station:
            qs = qs.filter(station__code=station)
        kind = self.request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        return qs
