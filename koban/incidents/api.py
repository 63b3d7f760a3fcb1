"""REST API for incidents and 110 calls: intake, the status actions, dispatch suggestions, figures.

Errors answer 400 with ``{field: [message]}`` (``koban.lib.api``); permissions come from
``koban.accounts.access`` through the services (403 when refused).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import (
    access_incident,
    boxes_visible_to,
    has_police_powers,
    incidents_visible_to,
    intake_agencies_for,
)
from koban.accounts.models import User
from koban.audit.reads import NoteReadsSerializer
from koban.incidents import services
from koban.incidents.callers import caller_details
from koban.incidents.counts import DIMENSIONS as COUNT_DIMENSIONS
from koban.incidents.counts import Counts, count_incidents
from koban.incidents.dispatching import resolve_sendees, suggest_units, suggestion_data
from koban.incidents.figures import DIMENSIONS, benchmark_seconds, overall_response, response_by
from koban.incidents.filters import filtered_incidents
from koban.incidents.models import (
    CallerRelation,
    Dispatch,
    Incident,
    IncidentCategory,
    IncidentEvent,
    Source,
)
from koban.lib.api import GeoFeatureModelSerializer, GeoJsonPages, ModelSerializer, Serializer, query_bool
from koban.organization.models import Agency


class IncidentCategorySerializer(ModelSerializer):
    default_priority = serializers.IntegerField(read_only=True, help_text="1 (urgent) to 4 (low)")
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = IncidentCategory
        fields = ["id", "code", "label", "labels", "default_priority", "active"]

    def get_label(self, obj: IncidentCategory) -> str:
        return obj.label()


class IncidentEventSerializer(ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True, allow_null=True)
    # Plain strings: the status enum is named once, on the incident.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = IncidentEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "note"]


class DispatchSerializer(ModelSerializer):
    box_name = serializers.CharField(source="box.name", read_only=True)
    unit = serializers.CharField(source="unit.call_sign", default=None, read_only=True, allow_null=True)
    officers: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, slug_field="username", read_only=True
    )

    class Meta:
        model = Dispatch
        fields = ["id", "box", "box_name", "unit", "officers", "dispatched_at", "arrived_at", "distance_m"]


class IncidentSerializer(NoteReadsSerializer, GeoFeatureModelSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    category_label = serializers.CharField(source="category.label", read_only=True)
    box_name = serializers.CharField(source="box.name", default=None, read_only=True, allow_null=True)
    beat_code = serializers.CharField(source="beat.code", default=None, read_only=True, allow_null=True)
    response_seconds = serializers.FloatField(read_only=True, allow_null=True)
    label_agrees = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Whether the box the source names (source_box_label) is the box the incident is in.",
    )

    class Meta:
        model = Incident
        geo_field = "location"
        fields = [
            "id",
            "source",
            "category",
            "category_label",
            "priority",
            "status",
            "description",
            "address",
            "beat",
            "beat_code",
            "box",
            "box_name",
            "station",
            "outside_jurisdiction",
            "address_unplaced",
            "received_at",
            "dispatched_at",
            "arrived_at",
            "cleared_at",
            "response_seconds",
            "idempotency_key",
            "source_box_label",
            "label_agrees",
            "location_source",
            "import_batch",
        ]


class CallerSerializer(Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    relation = serializers.CharField(help_text="victim, witness, family, finder, staff, other or empty")
    relation_label = serializers.CharField()
    masked = serializers.BooleanField(help_text="True: name and phone are masked for this reader")


class IncidentDetailSerializer(IncidentSerializer):
    """One incident with its history, units and caller (masked unless the reader acts on it)."""

    events = IncidentEventSerializer(many=True, read_only=True)
    dispatches = DispatchSerializer(many=True, read_only=True)
    caller = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "events", "dispatches", "caller"]

    @extend_schema_field(CallerSerializer(allow_null=True))
    def get_caller(self, obj: Incident) -> dict[str, Any] | None:
        request = self.context.get("request")
        return caller_details(getattr(request, "user", None), obj)


class IntakeSerializer(Serializer):
    """A call or report to record. Give the place as ``lat``/``lon``, an ``address``, or both."""

    category = serializers.SlugRelatedField(slug_field="code", queryset=IncidentCategory.objects.all())
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[c for c in Source.choices if c[0] != Source.IMPORTED], default=Source.CALL_110
    )
    priority = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True, help_text="1 (urgent) to 4 (low)"
    )
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    caller_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    caller_phone = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=30,
        help_text="Digits, spaces, hyphens, leading +",
    )
    caller_relation = serializers.ChoiceField(
        choices=CallerRelation.choices, required=False, allow_blank=True, default=""
    )
    received_at = serializers.DateTimeField(required=False)
    dispatched_at = serializers.DateTimeField(required=False, allow_null=True)
    arrived_at = serializers.DateTimeField(required=False, allow_null=True)
    cleared_at = serializers.DateTimeField(required=False, allow_null=True)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=100)
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    outside_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The point is right although it lies outside the agency's jurisdiction (needs police powers).",
    )


class DispatchInputSerializer(Serializer):
    """Whom to send: a patrol car (``unit``, its crew goes unless ``officers`` names some of it), or
    ``officers`` of one box (``box`` may be left out: it is the box they are posted at)."""

    box = serializers.IntegerField(required=False, allow_null=True)
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="A patrol car's id")
    officers = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=50
    )
    at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CorrectionSerializer(Serializer):
    """Fields of an incident to correct; give only those that change. ``lat`` and ``lon`` come together
    and place the incident again in its beat, box and station."""

    category = serializers.SlugRelatedField(
        slug_field="code", queryset=IncidentCategory.objects.all(), required=False
    )
    priority = serializers.IntegerField(
        min_value=1, max_value=4, required=False, help_text="1 (urgent) to 4 (low)"
    )
    lat = serializers.FloatField(required=False)
    lon = serializers.FloatField(required=False)
    outside_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The new point is right although it lies outside the agency's jurisdiction.",
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    caller_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    caller_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="Digits, spaces, hyphens, leading +"
    )
    caller_relation = serializers.ChoiceField(
        choices=CallerRelation.choices, required=False, allow_blank=True
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Why (kept in the history)"
    )


class ReasonSerializer(Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="The reason (required)"
    )


class TimeNoteSerializer(Serializer):
    at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


_list_parameters = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Words in the description or address (kana or kanji), or a number"
    ),
    OpenApiParameter("box", OpenApiTypes.INT, description="Box id"),
    OpenApiParameter("station", OpenApiTypes.INT, description="Station id"),
    OpenApiParameter("status", OpenApiTypes.STR, description="Comma-separated statuses, or 'open'"),
    OpenApiParameter("category", OpenApiTypes.STR, description="Category code"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Received on or after this day"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Received on or before this day"),
    OpenApiParameter("outside", OpenApiTypes.BOOL, description="Only incidents outside every beat"),
    OpenApiParameter(
        "unplaced", OpenApiTypes.BOOL, description="Only incidents whose address matches no known town"
    ),
]


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents the user may see (officer: own box; chief: the station's boxes; HQ: all).

    PATCH corrects an incident's facts; POST to ``reopen`` reopens a cleared or cancelled one.
    """

    pagination_class = GeoJsonPages
    serializer_class = IncidentSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        return incidents_visible_to(self.request.user).with_relations()  # type: ignore[arg-type]

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        if self.action == "retrieve":
            return IncidentDetailSerializer
        if self.action == "create":
            return IntakeSerializer
        if self.action == "partial_update":
            return CorrectionSerializer
        return IncidentSerializer

    @extend_schema(parameters=_list_parameters)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        errors: dict[str, str] = {}
        qs = filtered_incidents(request.query_params, self.get_queryset(), errors)  # type: ignore[arg-type]
        if errors:
            raise ValidationError(errors)
        page = self.paginate_queryset(qs)
        serializer = IncidentSerializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        request=IntakeSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={201: IncidentDetailSerializer, 200: IncidentDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a call or report. A repeated ``Idempotency-Key`` returns the first incident (200)."""
        data = IntakeSerializer(data=request.data)
        # Another agency's code is refused like an unknown one.
        data.fields["agency"].queryset = intake_agencies_for(request.user)  # type: ignore[arg-type,attr-defined]
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        key = request.headers.get("Idempotency-Key") or values.pop("idempotency_key", None)
        values.pop("idempotency_key", None)
        values.setdefault("received_at", timezone.now())
        result = services.intake_incident(request.user, idempotency_key=key, **values)  # type: ignore[arg-type]
        body = IncidentDetailSerializer(result.incident, context={"request": request}).data
        return Response(body, status=201 if result.created else 200)

    def _incident(self, pk: Any) -> Incident:
        return access_incident(self.request.user, pk)  # type: ignore[arg-type]

    def get_object(self) -> Incident:
        return self._incident(self.kwargs["pk"])

    def _done(self, incident: Incident) -> Response:
        fresh = self.get_queryset().get(pk=incident.pk)
        return Response(IncidentDetailSerializer(fresh, context={"request": self.request}).data)

    @extend_schema(request=DispatchInputSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def send_units(self, request: Request, pk: Any = None) -> Response:
        """Send officers, or a patrol car with its crew, to the incident (first units or backup).

        Officers and cars the user may not send answer 404 like unknown ids.
        """
        incident = self._incident(pk)
        data = DispatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        values = data.validated_data
        sendees = resolve_sendees(user, incident, values.get("box"), values.get("unit"), values["officers"])
        services.dispatch_units(
            user,
            incident,
            sendees.box,
            sendees.officers,
            at=values.get("at"),
            note=values["note"],
            unit=sendees.unit,
        )
        return self._done(incident)

    def _timed(self, request: Request, pk: Any, verb: str) -> Response:
        incident = self._incident(pk)
        data = TimeNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        at, note = data.validated_data.get("at"), data.validated_data["note"]
        if verb == "arrive":
            services.mark_arrived(request.user, incident, at=at)  # type: ignore[arg-type]
        elif verb == "clear":
            services.clear_incident(request.user, incident, at=at, note=note)  # type: ignore[arg-type]
        elif verb == "cancel":
            services.cancel_incident(request.user, incident, note=note)  # type: ignore[arg-type]
        else:
            services.add_note(request.user, incident, note)  # type: ignore[arg-type]
        return self._done(incident)

    @extend_schema(request=TimeNoteSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk: Any = None) -> Response:
        """Record that the units reached the scene (``at`` defaults to now)."""
        return self._timed(request, pk, "arrive")

    @extend_schema(request=TimeNoteSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def clear(self, request: Request, pk: Any = None) -> Response:
        """Close the incident as dealt with."""
        return self._timed(request, pk, "clear")

    @extend_schema(request=TimeNoteSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Close the incident as not needing the police; ``note`` (the reason) is required."""
        return self._timed(request, pk, "cancel")

    @extend_schema(request=TimeNoteSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request: Request, pk: Any = None) -> Response:
        """Add a line to the incident's history."""
        return self._timed(request, pk, "note")

    @extend_schema(request=CorrectionSerializer, responses={200: IncidentDetailSerializer})
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Correct the category, priority, place, address, description or caller; the history names each change."""
        incident = self._incident(pk)
        data = CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        services.correct_incident(request.user, incident, reason=reason, **values)  # type: ignore[arg-type]
        return self._done(incident)

    @extend_schema(request=ReasonSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        """Reopen a cleared or cancelled incident; ``note`` (the reason) is required."""
        incident = self._incident(pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reopen_incident(request.user, incident, data.validated_data["note"])  # type: ignore[arg-type]
        return self._done(incident)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "backup",
                OpenApiTypes.BOOL,
                description="Only other boxes than the incident's and those already sent",
            )
        ],
        responses={
            200: inline_serializer(
                "DispatchSuggestion",
                {
                    "kind": serializers.ChoiceField(choices=["officer", "unit"]),
                    "key": serializers.CharField(),
                    "label": serializers.CharField(),
                    "box": serializers.IntegerField(),
                    "box_name": serializers.CharField(),
                    "unit": serializers.DictField(allow_null=True),
                    "officers": serializers.ListField(child=serializers.DictField()),
                    "travel_s": serializers.FloatField(),
                    "distance_m": serializers.FloatField(),
                    "method": serializers.ChoiceField(choices=["road", "straight_line"]),
                    "straight_line_m": serializers.FloatField(),
                    "preempts": serializers.BooleanField(),
                    "committed_to": serializers.ListField(child=serializers.IntegerField()),
                    "route": serializers.DictField(help_text="GeoJSON LineString, incident → candidate"),
                },
                many=True,
            )
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def suggestions(self, request: Request, pk: Any = None) -> Response:
        """Free on-duty officers and patrol cars the user may send, fastest first, with their routes.

        Officers already sent to a less urgent open incident appear last, marked ``preempts``, and
        only for an urgent (priority 1) incident; ``method`` says whether the way was measured on the
        roads or as a straight line.
        """
        incident = self._incident(pk)
        user: User = request.user  # type: ignore[assignment]
        if not has_police_powers(user):
            raise PermissionDenied(gettext("Only police officers may send units."))
        backup = query_bool(request.query_params, "backup")
        return Response([suggestion_data(s) for s in suggest_units(incident, user, backup=backup)])


class IncidentCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Incident categories (active ones first in their configured order)."""

    serializer_class = IncidentCategorySerializer
    pagination_class = None
    queryset = IncidentCategory.objects.all()


def response_figures(request: Any) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The figures for the request's filters and ``by`` dimension (shared by the API and the page)."""
    errors: dict[str, str] = {}
    params = request.query_params if hasattr(request, "query_params") else request.GET
    by = params.get("by") or "box"
    if by not in DIMENSIONS:
        errors["by"] = gettext("Unknown dimension %(by)r; use one of %(choices)s.") % {
            "by": by,
            "choices": ", ".join(DIMENSIONS),
        }
    qs = filtered_incidents(params, incidents_visible_to(request.user), errors)
    box = params.get("box")
    if box and box.isdigit() and not boxes_visible_to(request.user).filter(pk=int(box)).exists():
        errors["box"] = gettext("No access to this box.")
    if errors:
        return None, errors
    return {
        "by": by,
        "benchmark_seconds": benchmark_seconds(),
        # The benchmark is a national mean: compare "mean_s" with it (see mean_above_benchmark).
        "benchmark_is": "national_mean",
        "overall": overall_response(qs).as_dict(),
        "groups": [f.as_dict() for f in response_by(qs, by)],
    }, errors


@extend_schema(
    parameters=[
        OpenApiParameter("by", OpenApiTypes.STR, enum=list(DIMENSIONS), description="Group by"),
        *_list_parameters,
    ],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def response_times_view(request: Request) -> Response:
    """Response times (received → first arrival): mean, median and 90th percentile per group, in seconds.

    ``benchmark_seconds`` is the national **mean** (8 min 16 s in Japan); ``mean_above_benchmark`` says
    whether a group's mean is slower than it."""
    figures, errors = response_figures(request)
    if errors:
        raise ValidationError(errors)
    return Response(figures)


def counts_for(request: Any) -> tuple[Counts | None, dict[str, str]]:
    """Incident counts for the request's filters and ``by`` (shared by the API, the page and CSV)."""
    errors: dict[str, str] = {}
    params = request.query_params if hasattr(request, "query_params") else request.GET
    by = params.get("by") or "box"
    if by not in COUNT_DIMENSIONS:
        errors["by"] = gettext("Unknown dimension %(by)r; use one of %(choices)s.") % {
            "by": by,
            "choices": ", ".join(COUNT_DIMENSIONS),
        }
    qs = filtered_incidents(params, incidents_visible_to(request.user), errors)
    if errors:
        return None, errors
    return count_incidents(qs, by), errors


@extend_schema(
    parameters=[
        OpenApiParameter(
            "by",
            OpenApiTypes.STR,
            enum=list(COUNT_DIMENSIONS),
            description="box (default), beat, station, area, category or label",
        ),
        *_list_parameters,
    ],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def incident_counts_view(request: Request) -> Response:
    """Incidents counted by box, beat, station, area (町丁目), category or the box the source names.

    By box, each row also says how many of its incidents carry a source label (``labelled``), how
    many of those name this box (``agreeing``) and how many labelled incidents anywhere name it
    (``named``); ``agreement`` is the share of labelled incidents placed in the box they name.
    """
    counts, errors = counts_for(request)
    if counts is None:
        raise ValidationError(errors)
    return Response(counts.as_dict())
