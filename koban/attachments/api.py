"""REST API for attachments: list a record's files, upload one (multipart), read, download, remove.

A record is named by ``parent`` (``incident`` or ``item``) and ``parent_id``; unknown and forbidden
records and attachments answer 404. Uploads are checked by content like on the pages (400 naming
``file``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import access_attachment, attachments_visible_to
from koban.attachments import services
from koban.attachments.models import Attachment
from koban.attachments.registry import kind_for_label, kind_for_slug, kinds
from koban.attachments.views import _file_response
from koban.audit.reads import note_read
from koban.lib.api import ModelSerializer, Serializer, query_id, query_text
from koban.lib.parsers import CheckedMultiPartParser
from koban.runs.uploads import upload_rejection


class AttachmentSerializer(ModelSerializer):
    parent = serializers.SerializerMethodField(help_text="incident or item")  # type: ignore[assignment]
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None, read_only=True)
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "parent",
            "parent_id",
            "original_name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "width",
            "height",
            "caption",
            "uploaded_at",
            "uploaded_by",
            "file_url",
            "thumbnail_url",
        ]

    def get_parent(self, obj: Attachment) -> str:
        return kind_for_label(obj.parent_type).slug

    def get_file_url(self, obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}/file/"

    def get_thumbnail_url(self, obj: Attachment) -> str | None:
        return f"/api/v1/attachments/{obj.pk}/thumbnail/" if obj.thumbnail else None


class UploadSerializer(Serializer):
    parent = serializers.ChoiceField(choices=[], help_text="incident or item")  # type: ignore[assignment]
    parent_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    file = serializers.FileField(help_text="A JPEG, PNG or WebP photo, or a PDF document")
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [k.slug for k in kinds() if k.takes_attachments]  # type: ignore[attr-defined]


_parent_parameters = [
    OpenApiParameter("parent", OpenApiTypes.STR, enum=["incident", "item"], required=True),
    OpenApiParameter("parent_id", OpenApiTypes.INT, required=True),
]


class AttachmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Photos and documents of incidents and found items (those of the records the user may read)."""

    serializer_class = AttachmentSerializer
    pagination_class = None
    parser_classes = [CheckedMultiPartParser]

    def get_queryset(self) -> QuerySet[Attachment]:
        return attachments_visible_to(self.request.user).select_related("uploaded_by")  # type: ignore[arg-type]

    def get_object(self) -> Attachment:
        return access_attachment(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]

    @extend_schema(parameters=_parent_parameters)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The attachments of one record, oldest first."""
        slug = query_text(request.query_params, "parent")
        if slug not in {k.slug for k in kinds() if k.takes_attachments}:
            raise ValidationError({"parent": [gettext("Give parent=incident or parent=item.")]})
        parent = kind_for_slug(slug, attachments=True).access(
            request.user, query_id(request.query_params, "parent_id")
        )
        attachments = Attachment.objects.of(parent).select_related("uploaded_by")
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: AttachmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Attach a photo or a PDF to a record (multipart: parent, parent_id, file, caption)."""
        data = UploadSerializer(data=request.data)  # parsing runs the upload size check
        rejected = upload_rejection(request._request)
        if rejected:
            raise ValidationError({"file": [rejected]})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        parent = kind_for_slug(values["parent"], attachments=True).access(request.user, values["parent_id"])
        attachment = services.add_attachment(request.user, parent, values["file"], caption=values["caption"])
        return Response(AttachmentSerializer(attachment).data, status=201)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Remove an attachment (those who work on its record)."""
        services.delete_attachment(request.user, self.get_object())  # type: ignore[arg-type]
        return Response(status=204)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: Any = None) -> FileResponse:
        """The stored file (audited read)."""
        attachment = self.get_object()
        note_read([attachment], Attachment.PERSONAL_FIELDS)
        return _file_response(attachment, thumbnail=False)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def thumbnail(self, request: Request, pk: Any = None) -> FileResponse:
        """The thumbnail of a photo (audited read)."""
        attachment = self.get_object()
        note_read([attachment], Attachment.PERSONAL_FIELDS)
        return _file_response(attachment, thumbnail=True)
