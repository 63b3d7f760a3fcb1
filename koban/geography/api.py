"""REST API for beats, administrative areas and the locate endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import agencies_overseen_by, stations_visible_to
from koban.geography.importers.admin_views import ACCEPTED_SUFFIXES
from koban.geography.jobs import start_import, start_version_activation, start_version_check
from koban.geography.locate import locate
from koban.geography.models import AdminArea, Beat, BeatVersion
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages, ModelSerializer, Serializer, query_int
from koban.lib.geo import GeometryError
from koban.lib.geojson import RFC7946GeometryField
from koban.organization.models import Agency
from koban.runs.api import JobRunSerializer, accepted
from koban.runs.uploads import upload_rejection


class BeatSerializer(GeoFeatureModelSerializer):
    geom = RFC7946GeometryField()
    box = serializers.IntegerField(source="box_id", read_only=True)
    box_name = serializers.CharField(source="box.name", read_only=True)
    box_kind = serializers.CharField(source="box.kind", read_only=True)
    station = serializers.CharField(source="box.station.code", read_only=True)
    version = serializers.IntegerField(source="version_id", read_only=True)

    class Meta:
        model = Beat
        geo_field = "geom"
        fields = [
            "id",
            "code",
            "name",
            "box",
            "box_name",
            "box_kind",
            "station",
            "version",
            "area_m2",
            "population",
            "households",
        ]


class AdminAreaSerializer(GeoFeatureModelSerializer):
    geom = RFC7946GeometryField()

    class Meta:
        model = AdminArea
        geo_field = "geom"
        fields = ["id", "level", "code", "name", "population", "households"]


class BeatViewSet(viewsets.ReadOnlyModelViewSet):
    """Beats (受持区). By default the active version; ``?version=<id>`` shows a draft or retired one."""

    serializer_class = BeatSerializer
    pagination_class = GeoJsonPages

    def get_queryset(self) -> QuerySet[Beat]:
        qs = Beat.objects.with_box().filter(box__station__in=stations_visible_to(self.request.user))  # type: ignore[arg-type]
        version = query_int(self.request.query_params, "version")
        return qs.filter(version_id=version) if version else qs.current()


class AdminAreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative areas; filter with ``?level=municipality`` (prefecture, municipality, town, block)."""

    serializer_class = AdminAreaSerializer
    pagination_class = GeoJsonPages

    def get_queryset(self) -> QuerySet[AdminArea]:
        qs = AdminArea.objects.all()
        level = self.request.query_params.get("level")
        if level:
            qs = qs.filter(level=level)
        return qs


def _box_summary(box):  # type: ignore[no-untyped-def]
    if box is None:
        return None
    return {
        "id": box.id,
        "code": box.code,
        "name": box.name,
        "kind": box.kind,
        "kind_label": box.kind_label,
        "phone": box.phone,
        "lon": box.location.x,
        "lat": box.location.y,
    }


_box_shape = inline_serializer(
    "LocatedBox",
    {
        "id": serializers.IntegerField(),
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "kind_label": serializers.CharField(),
        "phone": serializers.CharField(),
        "lon": serializers.FloatField(),
        "lat": serializers.FloatField(),
    },
)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "lat",
            {"type": "number", "minimum": -90, "maximum": 90},
            required=True,
            description="Latitude (WGS84)",
        ),
        OpenApiParameter(
            "lon",
            {"type": "number", "minimum": -180, "maximum": 180},
            required=True,
            description="Longitude (WGS84)",
        ),
    ],
    responses={
        200: inline_serializer(
            "Location",
            {
                "lat": serializers.FloatField(),
                "lon": serializers.FloatField(),
                "beat": inline_serializer(
                    "LocatedBeat",
                    {
                        "id": serializers.IntegerField(),
                        "code": serializers.CharField(),
                        "name": serializers.CharField(),
                    },
                    allow_null=True,
                ),
                "box": _box_shape,
                "station": inline_serializer(
                    "LocatedStation",
                    {
                        "id": serializers.IntegerField(),
                        "code": serializers.CharField(),
                        "name": serializers.CharField(),
                    },
                    allow_null=True,
                ),
                "distance_to_box_m": serializers.FloatField(allow_null=True),
                "nearest_box": _box_shape,
                "distance_to_nearest_box_m": serializers.FloatField(allow_null=True),
            },
        ),
        400: inline_serializer(
            "LocateError",
            {
                "lat": serializers.ListField(child=serializers.CharField(), required=False),
                "lon": serializers.ListField(child=serializers.CharField(), required=False),
            },
        ),
    },
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def locate_view(request: Request) -> Response:
    """Which beat, box and station cover a point, and the distances to that box and the nearest box."""
    errors: dict[str, list[str]] = {}
    values: dict[str, float] = {}
    for name, limit in (("lat", 90), ("lon", 180)):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            errors[name] = [gettext("This parameter is required.")]
            continue
        try:
            values[name] = float(raw)
        except ValueError:
            errors[name] = [gettext("%(value)r is not a number.") % {"value": raw}]
            continue
        if not -limit <= values[name] <= limit:  # also refuses NaN
            errors[name] = [
                gettext("Give a number from %(low)d to %(high)d.") % {"low": -limit, "high": limit}
            ]
    if errors:
        raise ValidationError(errors)
    try:
        found = locate(values["lon"], values["lat"])
    except GeometryError as exc:
        field = "lat" if "latitude" in str(exc) else "lon"
        raise ValidationError({field: [str(exc)]}) from exc
    station = found.beat_box.station if found.beat_box else None
    return Response(
        {
            "lat": found.lat,
            "lon": found.lon,
            "beat": {"id": found.beat.id, "code": found.beat.code, "name": found.beat.name}
            if found.beat
            else None,
            "box": _box_summary(found.beat_box),
            "station": {"id": station.id, "code": station.code, "name": station.name} if station else None,
            "distance_to_box_m": found.beat_box_distance_m,
            "nearest_box": _box_summary(found.nearest_box),
            "distance_to_nearest_box_m": found.nearest_box_distance_m,
        }
    )


# -- Beat versions: upload, check and activate as background runs -----------------------------------------


class BeatVersionSerializer(ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    beat_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = BeatVersion
        fields = [
            "id",
            "agency",
            "name",
            "status",
            "source",
            "note",
            "created_at",
            "activated_at",
            "retired_at",
            "beat_count",
        ]
        read_only_fields = fields


class BeatUploadSerializer(Serializer):
    """A beat file to import as a new draft version (CSV with WKT, GeoJSON, zipped Shapefile, GeoPackage)."""

    file = serializers.FileField(help_text="CSV, GeoJSON, a zipped Shapefile (.zip) or a GeoPackage (.gpkg)")
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    version_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    code_field = serializers.CharField(required=False, default="code", max_length=100)
    name_field = serializers.CharField(required=False, allow_blank=True, default="name", max_length=100)
    box_field = serializers.CharField(required=False, default="box_code", max_length=100)
    station_field = serializers.CharField(required=False, allow_blank=True, max_length=100)
    population_field = serializers.CharField(required=False, allow_blank=True, max_length=100)
    households_field = serializers.CharField(required=False, allow_blank=True, max_length=100)
    encoding = serializers.CharField(required=False, allow_blank=True, max_length=40)
    srid = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=999_999)
    layer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    commit = serializers.BooleanField(
        required=False, default=False, help_text="Save the draft version; false: a dry run that only reports"
    )

    def validate_file(self, upload: Any) -> Any:
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise ValidationError(
                gettext("Unsupported file type %(suffix)s.") % {"suffix": Path(upload.name).suffix or "?"}
            )
        return upload


class ActivationSerializer(Serializer):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Why a version whose check fails goes live anyway (planners allowed to override only)",
    )


class BeatVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Beat versions of the agencies the user oversees (HQ), newest first.

    ``upload`` imports a file as a new draft version, ``check`` reports overlaps and gaps, ``activate``
    makes a version live (its check must pass, or an allowed planner gives a reason): each answers 202
    with a background run to poll at ``/api/v1/runs/{id}/``.
    """

    serializer_class = BeatVersionSerializer

    def get_queryset(self) -> QuerySet[BeatVersion]:
        agencies = agencies_overseen_by(self.request.user)  # type: ignore[arg-type]
        return (
            BeatVersion.objects.filter(agency__in=agencies)
            .select_related("agency")
            .annotate(beat_count=Count("beats"))
            .order_by("-created_at", "-id")
        )

    @extend_schema(request={"multipart/form-data": BeatUploadSerializer}, responses={202: JobRunSerializer})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request: Request) -> Response:
        """Import a beat file as a new draft version of the agency (a dry run unless ``commit``)."""
        request.data  # noqa: B018  (parsing the body applies the upload size limit)
        refused = upload_rejection(request._request)
        if refused:
            raise ValidationError({"file": [refused]})
        incoming = BeatUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        upload, commit = values.pop("file"), values.pop("commit")
        values["agency"] = values["agency"].code
        return accepted(start_import(request.user, "beats", upload, values, commit=commit))

    @extend_schema(request=None, responses={202: JobRunSerializer})
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: Any = None) -> Response:
        """Check the version for overlapping beats, gaps in populated areas and boxes without a beat."""
        return accepted(start_version_check(request.user, self.get_object()))

    @extend_schema(request=ActivationSerializer, responses={202: JobRunSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: Any = None) -> Response:
        """Make the version the agency's active beats and retire the previous ones."""
        version = self.get_object()
        incoming = ActivationSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reason = incoming.validated_data["override_reason"]
        return accepted(start_version_activation(request.user, version, override_reason=reason))
