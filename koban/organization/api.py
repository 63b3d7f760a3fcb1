"""REST API for stations and boxes; GeoJSON FeatureCollections for the map."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from koban.accounts.access import boxes_visible_to, stations_visible_to
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages
from koban.lib.geojson import RFC7946GeometryField
from koban.organization.models import PoliceBox, PoliceStation


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
        ]


class PoliceStationViewSet(viewsets.ReadOnlyModelViewSet):
    """Police stations the user may see, as GeoJSON features (point = the station building)."""

    serializer_class = PoliceStationSerializer
    pagination_class = GeoJsonPages

    def get_queryset(self) -> QuerySet[PoliceStation]:
        return stations_visible_to(self.request.user).select_related("agency")  # type: ignore[arg-type]


class PoliceBoxViewSet(viewsets.ReadOnlyModelViewSet):
    """Police boxes (koban, chuzaisho, …) the user may see, as GeoJSON features."""

    serializer_class = PoliceBoxSerializer
    pagination_class = GeoJsonPages

    def get_queryset(self) -> QuerySet[PoliceBox]:
        qs = boxes_visible_to(self.request.user).with_station()  # type: ignore[arg-type,attr-defined]
        station = self.request.query_params.get("station")
        if station:
            qs = qs.filter(station__code=station)
        kind = self.request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        return qs
