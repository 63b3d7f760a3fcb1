"""REST API for patrol cars and their crews: list the cars with who rides now, assign a shift's crew."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import access_patrol_car, patrol_cars_visible_to
from koban.lib.api import ModelSerializer, Serializer
from koban.rosters import services
from koban.rosters.api import _officer, _user
from koban.rosters.models import PatrolCar


class PatrolCarSerializer(ModelSerializer):
    box_name = serializers.CharField(source="box.name", read_only=True)
    crew_now = serializers.SerializerMethodField(help_text="Usernames of the crew riding now")

    class Meta:
        model = PatrolCar
        fields = ["id", "call_sign", "box", "box_name", "kind", "active", "crew_now"]

    def get_crew_now(self, car: PatrolCar) -> list[str]:
        return [row.officer.username for row in car.crew.at(timezone.now()).select_related("officer")]


class CrewInputSerializer(Serializer):
    """One shift's crew: the officers (ids) riding from ``start`` to ``end``."""

    officers = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=6)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class PatrolCarViewSet(viewsets.ReadOnlyModelViewSet):
    """Patrol cars of the boxes whose rosters the user reads, with their crew now."""

    serializer_class = PatrolCarSerializer

    def get_queryset(self) -> Any:
        return patrol_cars_visible_to(_user(self.request)).order_by("call_sign", "id")

    def get_object(self) -> PatrolCar:
        return access_patrol_car(_user(self.request), self.kwargs["pk"])  # type: ignore[no-any-return]

    @extend_schema(request=CrewInputSerializer, responses={200: PatrolCarSerializer})
    @action(detail=True, methods=["post"])
    def crew(self, request: Request, pk: Any = None) -> Response:
        """Put officers in the car for one shift (station chief or HQ); dispatch then sends them as one unit."""
        car = self.get_object()
        data = CrewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        officers = [_officer(request, pk, "officers") for pk in dict.fromkeys(v["officers"])]
        services.assign_crew(_user(request), car, officers, v["start"], v["end"])
        return Response(PatrolCarSerializer(car).data)
