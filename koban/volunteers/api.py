"""REST API of volunteer groups (registry, members, blue-light certification) and their activity."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_activity,
    access_group,
    access_group_for_activity,
    activities_visible_to,
    find_or_record,
    group_members_visible_to,
    groups_visible_to,
    volunteer_observations_visible_to,
)
from koban.audit.reads import NoteReadsSerializer
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages, ModelSerializer, Pages, Serializer
from koban.lib.geo import point_from_lonlat
from koban.organization.models import PoliceBox
from koban.patrols.routes import Route, RouteError, parse_drawn, parse_gpx
from koban.runs.uploads import upload_rejection
from koban.volunteers import services
from koban.volunteers.models import (
    ActivityObservation,
    ActivityType,
    VolunteerActivity,
    VolunteerGroup,
    VolunteerMember,
)


class VolunteerMemberSerializer(NoteReadsSerializer, ModelSerializer):
    class Meta:
        model = VolunteerMember
        fields = ["id", "name", "phone", "age_band", "role", "joined_on", "left_on"]


class VolunteerGroupSerializer(ModelSerializer):
    members = VolunteerMemberSerializer(many=True, read_only=True)

    class Meta:
        model = VolunteerGroup
        fields = [
            "id",
            "name",
            "agency",
            "station",
            "box",
            "partner",
            "composition",
            "activities",
            "days_per_month",
            "schedule",
            "at_night",
            "founded_on",
            "dissolved_on",
            "members",
        ]


class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    """Volunteer groups the user may see, with their members."""

    serializer_class = VolunteerGroupSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[VolunteerGroup]:
        members = Prefetch("members", queryset=group_members_visible_to(self.request.user))  # type: ignore[arg-type]
        return groups_visible_to(self.request.user).prefetch_related(members)  # type: ignore[arg-type]

    def get_object(self) -> VolunteerGroup:
        access_group(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]  # refuses and audits
        return super().get_object()  # type: ignore[no-any-return]


class VolunteerObservationSerializer(NoteReadsSerializer, ModelSerializer):
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()

    class Meta:
        model = ActivityObservation
        fields = ["id", "kind", "observed_at", "note", "lon", "lat", "forwarded_at"]

    def get_lon(self, obj: ActivityObservation) -> float | None:
        return obj.point.x if obj.point else None

    def get_lat(self, obj: ActivityObservation) -> float | None:
        return obj.point.y if obj.point else None


class VolunteerActivitySerializer(GeoFeatureModelSerializer):
    observations = VolunteerObservationSerializer(many=True, read_only=True)
    participants: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = VolunteerActivity
        geo_field = "route"
        fields = [
            "id",
            "group",
            "kind",
            "started_at",
            "ended_at",
            "source",
            "distance_m",
            "participants",
            "vehicle",
            "joint_box",
            "note",
            "observations",
        ]


class VolunteerObservationInputSerializer(Serializer):
    kind = serializers.ChoiceField(choices=ActivityObservation.Kind.choices)
    observed_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=5000)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)


class VolunteerActivityInputSerializer(Serializer):
    """A patrol or watch: the route as a drawn GeoJSON line or an uploaded GPX file (multipart), or none."""

    group = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityType.choices)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    participants = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=500)
    route = serializers.JSONField(required=False, help_text="GeoJSON LineString/MultiLineString")
    gpx = serializers.FileField(required=False)
    vehicle = serializers.IntegerField(required=False, allow_null=True)
    joint_box = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    observations = VolunteerObservationInputSerializer(many=True, required=False)


def _observation(item: dict[str, Any]) -> services.ObservationInput:
    point = point_from_lonlat(item.get("lon"), item.get("lat"), "observations")
    return services.ObservationInput(item["kind"], item["observed_at"], item["note"], point)


def _route(values: dict[str, Any]) -> tuple[Route | None, str]:
    try:
        if values.get("gpx") is not None:
            upload = values["gpx"]
            return parse_gpx(
                upload.read(settings.KOBAN_GPX_MAX_BYTES + 1), max_bytes=settings.KOBAN_GPX_MAX_BYTES
            ), "gpx"
        if values.get("route") is not None:
            return parse_drawn(values["route"]), "drawn"
    except RouteError as exc:
        raise ValidationError({"gpx" if values.get("gpx") is not None else "route": [str(exc)]}) from exc
    return None, "none"


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Patrols and watches of volunteer groups as GeoJSON routes, with their observations.

    POST records one for a group the user may record for (volunteers: their own group); a blue-light
    patrol by an uncertified group, person or vehicle answers 400 naming it.
    """

    serializer_class = VolunteerActivitySerializer
    pagination_class = GeoJsonPages

    def get_queryset(self) -> QuerySet[VolunteerActivity]:
        user = self.request.user
        observations = Prefetch("observations", queryset=volunteer_observations_visible_to(user))  # type: ignore[arg-type]
        return activities_visible_to(user).prefetch_related("participants", observations)  # type: ignore[arg-type]

    def get_object(self) -> VolunteerActivity:
        access_activity(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]  # refuses and audits
        return super().get_object()  # type: ignore[no-any-return]

    @extend_schema(request=VolunteerActivityInputSerializer, responses={201: VolunteerActivitySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if too_large := upload_rejection(request):  # type: ignore[arg-type]
            raise ValidationError({"gpx": [too_large]})
        data: dict[str, Any] = {key: request.data.get(key) for key in request.data}
        if hasattr(request.data, "getlist"):  # multipart: repeated "participants" fields
            data["participants"] = request.data.getlist("participants")
        incoming = VolunteerActivityInputSerializer(data=data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        user: Any = request.user
        group = access_group_for_activity(user, values["group"])
        members = list(group.members.filter(pk__in=values["participants"]))
        if len(members) != len(set(values["participants"])):
            raise ValidationError({"participants": [gettext("Unknown member of this group.")]})
        vehicle = (
            find_or_record(user, group.vehicles.all(), values["vehicle"]) if values.get("vehicle") else None
        )
        if values.get("vehicle") and vehicle is None:
            raise ValidationError({"vehicle": [gettext("Unknown vehicle of this group.")]})
        joint_box = None
        if values.get("joint_box"):
            joint_box = find_or_record(
                user, PoliceBox.objects.filter(station_id=group.station_id), values["joint_box"]
            )
            if joint_box is None:
                raise ValidationError({"joint_box": [gettext("Unknown box of the group's station.")]})
        route, source = _route(values)
        activity = services.record_activity(
            user,
            group,
            kind=values["kind"],
            started_at=values["started_at"],
            ended_at=values["ended_at"],
            participants=members,
            route=route,
            source=source,
            vehicle=vehicle,
            joint_box=joint_box,
            note=values.get("note", ""),
            observations=[_observation(item) for item in values.get("observations") or []],
        )
        fresh = self.get_queryset().get(pk=activity.pk)
        return Response(VolunteerActivitySerializer(fresh).data, status=status.HTTP_201_CREATED)
