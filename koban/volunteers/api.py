"""REST API of volunteer groups (registry, members, blue-light certification) and their activity."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers, viewsets

from koban.accounts.access import (
    access_activity,
    access_group,
    activities_visible_to,
    groups_visible_to,
    members_visible_to,
    volunteer_observations_visible_to,
)
from koban.audit.reads import NoteReadsSerializer
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages, ModelSerializer, Pages
from koban.volunteers.models import ActivityObservation, VolunteerActivity, VolunteerGroup, VolunteerMember


class MemberSerializer(NoteReadsSerializer, ModelSerializer):
    class Meta:
        model = VolunteerMember
        fields = ["id", "name", "phone", "age_band", "role", "joined_on", "left_on"]


class GroupSerializer(ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)

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

    serializer_class = GroupSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[VolunteerGroup]:
        members = Prefetch("members", queryset=members_visible_to(self.request.user))  # type: ignore[arg-type]
        return groups_visible_to(self.request.user).prefetch_related(members)  # type: ignore[arg-type]

    def get_object(self) -> VolunteerGroup:
        access_group(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]  # refuses and audits
        return super().get_object()  # type: ignore[no-any-return]


class ObservationSerializer(NoteReadsSerializer, ModelSerializer):
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()

    class Meta:
        model = ActivityObservation
        fields = ["id", "kind", "observed_at", "note", "lon", "lat", "forwarded_at"]

    def get_lon(self, obj: ActivityObservation) -> float | None:
        return obj.point.x if obj.point else None

    def get_lat(self, obj: ActivityObservation) -> float | None:
        return obj.point.y if obj.point else None


class ActivitySerializer(GeoFeatureModelSerializer):
    observations = ObservationSerializer(many=True, read_only=True)
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


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Patrols and watches of volunteer groups as GeoJSON routes, with their observations."""

    serializer_class = ActivitySerializer
    pagination_class = GeoJsonPages

    def get_queryset(self) -> QuerySet[VolunteerActivity]:
        user = self.request.user
        observations = Prefetch("observations", queryset=volunteer_observations_visible_to(user))  # type: ignore[arg-type]
        return activities_visible_to(user).prefetch_related("participants", observations)  # type: ignore[arg-type]

    def get_object(self) -> VolunteerActivity:
        access_activity(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]  # refuses and audits
        return super().get_object()  # type: ignore[no-any-return]
