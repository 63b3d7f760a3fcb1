"""REST API for the counter log: categories and matters, with access through the chokepoints."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import access_counter_box, access_matter, matters_visible_to
from koban.accounts.models import User
from koban.audit.reads import NoteReadsSerializer
from koban.counter import services
from koban.counter.filters import CounterMatterFilter
from koban.counter.models import CounterCategory, CounterMatter
from koban.lib.api import ModelSerializer


class CounterCategorySerializer(ModelSerializer):
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = CounterCategory
        fields = ["id", "code", "label", "labels", "custody", "active", "sort_order"]

    def get_label(self, obj: CounterCategory) -> str:
        return obj.label()


class CounterCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Counter categories (configuration): directions, consultation, custody of a lost child, …"""

    serializer_class = CounterCategorySerializer
    queryset = CounterCategory.objects.all()
    pagination_class = None


class CounterMatterSerializer(NoteReadsSerializer, ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=CounterCategory.objects.all())
    category_label = serializers.SerializerMethodField()
    handled_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    handled_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CounterMatter
        fields = [
            "id",
            "box",
            "received_at",
            "channel",
            "category",
            "category_label",
            "summary",
            "outcome",
            "outcome_note",
            "handled_by",
            "handled_by_name",
            "person_description",
            "handed_over_to",
            "handed_over_at",
            "recorded_by",
            "client_token",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "recorded_by", "created_at", "updated_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"client_token": {"validators": []}}

    def get_category_label(self, obj: CounterMatter) -> str:
        return obj.category.label()

    def get_handled_by_name(self, obj: CounterMatter) -> str:
        return str(obj.handled_by)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("box", OpenApiTypes.INT),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Received at or after"),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Received before"),
            OpenApiParameter("category", OpenApiTypes.STR, description="Category code"),
        ]
    ),
    create=extend_schema(responses={201: CounterMatterSerializer, 200: CounterMatterSerializer}),
)
class CounterMatterViewSet(viewsets.ModelViewSet):
    """Counter matters of the boxes the user may see; recording needs work access to the box.

    POST answers 201 for a new record and 200 when ``client_token`` repeats an earlier submission.
    """

    serializer_class = CounterMatterSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CounterMatterFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[CounterMatter]:
        user: User = self.request.user  # type: ignore[assignment]
        return matters_visible_to(user).with_related().order_by("-received_at", "-id")

    def get_object(self) -> CounterMatter:
        return access_matter(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        box = access_counter_box(request.user, fields.pop("box").pk)  # type: ignore[arg-type]
        token = fields.pop("client_token", None)
        matter, created = services.record_matter(request.user, box, client_token=token, **fields)  # type: ignore[arg-type]
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(matter).data, status=code)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matter = self.get_object()
        serializer = self.get_serializer(matter, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "box" in changes and changes.pop("box").pk != matter.box_id:
            raise ValidationError({"box": _("A matter cannot move to another box.")})
        changes.pop("client_token", None)
        matter = services.update_matter(request.user, matter, **changes)  # type: ignore[arg-type]
        return Response(self.get_serializer(matter).data)
