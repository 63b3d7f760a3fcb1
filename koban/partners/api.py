"""REST API of crime-prevention partners: organizations with their contacts, agreements and meetings."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers, viewsets

from koban.accounts.access import (
    access_partner,
    agreements_visible_to,
    contacts_visible_to,
    partners_visible_to,
)
from koban.audit.reads import NoteReadsSerializer
from koban.lib.api import ModelSerializer, Pages
from koban.partners.models import Agreement, Partner, PartnerContact


class PartnerContactSerializer(NoteReadsSerializer, ModelSerializer):
    class Meta:
        model = PartnerContact
        fields = ["id", "name", "title", "phone", "email", "primary"]


class PartnerAgreementSerializer(ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "kind", "title", "signed_on", "ends_on", "terms"]


class PartnerSerializer(ModelSerializer):
    contacts = PartnerContactSerializer(many=True, read_only=True)
    agreements = PartnerAgreementSerializer(many=True, read_only=True)
    area = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "kind",
            "agency",
            "stations",
            "boxes",
            "address",
            "website",
            "description",
            "active",
            "area",
            "contacts",
            "agreements",
        ]

    def get_area(self, obj: Partner) -> dict[str, Any] | None:
        return json.loads(obj.area.geojson) if obj.area else None


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Partner organizations the user may see, with the contacts and agreements they may read."""

    serializer_class = PartnerSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Partner]:
        user = self.request.user
        contacts = Prefetch("contacts", queryset=contacts_visible_to(user))  # type: ignore[arg-type]
        agreements = Prefetch("agreements", queryset=agreements_visible_to(user))  # type: ignore[arg-type]
        return partners_visible_to(user).prefetch_related("stations", "boxes", contacts, agreements)  # type: ignore[arg-type]

    def get_object(self) -> Partner:
        access_partner(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]  # refuses and audits
        return super().get_object()  # type: ignore[no-any-return]
