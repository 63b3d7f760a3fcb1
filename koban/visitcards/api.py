"""REST API for visit cards, through the same access functions and services as the pages.

- ``GET /visit-cards/``: the cards the user may open, metadata only (never contents).
- ``POST /visit-cards/search/``: ``{"name": …}`` searched in the blind index (POST: names stay out of URLs).
- ``POST /visit-cards/``: a new card with the household's consent (refused without it).
- ``GET /visit-cards/{id}/``: one card with its contents (an audited read).
- ``PUT /visit-cards/{id}/``: replace the contents; carries the ``version`` it was made on, and a stale
  one answers 409 (no lost update).
- ``POST /visit-cards/{id}/withdraw/``: the household withdrew its consent; the contents are deleted.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access.visitcards import (
    access_card,
    access_card_for_edit,
    access_household_for_card,
    cards_visible_to,
)
from koban.accounts.models import User
from koban.lib.api import ModelSerializer, Serializer
from koban.visitcards import services
from koban.visitcards.contents import MAX_CONTACTS, MAX_MEMBERS
from koban.visitcards.models import CardLanguage, CardType, ConsentScope, VisitCard, VisitCardQuerySet


class CardConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This card was changed by someone else. Reload it and make your change again.")
    default_code = "conflict"


class MemberSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    reading = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    birth_date = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="", help_text="YYYY-MM-DD"
    )
    relationship = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    workplace = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    needs_help = serializers.BooleanField(required=False, default=False)


class ContactSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    relationship = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=200)


class ContentsSerializer(Serializer):
    members = MemberSerializer(many=True, max_length=MAX_MEMBERS)  # type: ignore[call-arg]
    contacts = ContactSerializer(many=True, max_length=MAX_CONTACTS, required=False, default=list)  # type: ignore[call-arg]
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class NameSearchSerializer(Serializer):
    name = serializers.CharField(max_length=100)


class CardSummarySerializer(ModelSerializer):
    """What lists show: no name, no date of birth, no contact."""

    has_contents = serializers.BooleanField(read_only=True)

    class Meta:
        model = VisitCard
        fields = [
            "id",
            "household",
            "card_type",
            "language",
            "box",
            "version",
            "confirmed_at",
            "has_contents",
            "review_flagged_at",
            "contents_deleted_at",
        ]
        read_only_fields = fields


class CardDetailSerializer(CardSummarySerializer):
    contents = serializers.SerializerMethodField()

    class Meta(CardSummarySerializer.Meta):
        fields = [*CardSummarySerializer.Meta.fields, "contents"]
        read_only_fields = fields

    @extend_schema_field(ContentsSerializer)
    def get_contents(self, obj: VisitCard) -> dict[str, Any]:
        return self.context["contents"]  # type: ignore[no-any-return]


class CardWriteSerializer(Serializer):
    card_type = serializers.ChoiceField(choices=CardType.choices)
    language = serializers.ChoiceField(choices=CardLanguage.choices, default=CardLanguage.JA)
    contents = ContentsSerializer()


class CardCreateSerializer(CardWriteSerializer):
    household = serializers.IntegerField(min_value=1)
    consent_scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsentScope.choices),
        max_length=len(ConsentScope.values),
        help_text="What the household agreed to; must include 'keep'. Without it the card is refused.",
    )


class CardUpdateSerializer(CardWriteSerializer):
    version = serializers.IntegerField(min_value=1, help_text="The version the edit was made on.")
    confirmed = serializers.BooleanField(required=False, default=False)


def _input(data: dict[str, Any]) -> services.CardInput:
    return services.CardInput(data["card_type"], data["language"], data["contents"])


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, description="Name or reading")]
    ),
    create=extend_schema(request=CardCreateSerializer, responses={201: CardDetailSerializer}),
    update=extend_schema(request=CardUpdateSerializer, responses={200: CardDetailSerializer}),
    withdraw=extend_schema(request=None, responses={200: CardSummarySerializer}),
)
class VisitCardViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Visit cards of the user's beat and of the box they keep cards for."""

    serializer_class = CardSummarySerializer
    http_method_names = ["get", "post", "put", "head", "options"]

    def _user(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def get_queryset(self) -> VisitCardQuerySet:
        return cards_visible_to(self._user()).order_by("pk")

    def _detail(self, card: VisitCard, code: int = status.HTTP_200_OK) -> Response:
        contents = services.open_card(self._user(), card, what="API", request=self.request)
        return Response(CardDetailSerializer(card, context={"contents": contents}).data, status=code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CardSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(access_card(self._user(), pk))

    def create(self, request: Request) -> Response:
        serializer = CardCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        household = access_household_for_card(self._user(), data["household"])
        card = services.create_card(
            self._user(), household, _input(data), consent_scopes=data["consent_scopes"]
        )
        return self._detail(card, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        card = access_card_for_edit(self._user(), pk)
        serializer = CardUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            card = services.update_card(
                self._user(), card, _input(data), version=data["version"], confirmed=data["confirmed"]
            )
        except services.CardConflictError as exc:
            raise CardConflict(str(exc)) from None
        return self._detail(card)

    @extend_schema(request=NameSearchSerializer, responses={200: CardSummarySerializer(many=True)})
    @action(detail=False, methods=["post"], pagination_class=None)
    def search(self, request: Request) -> Response:
        """Cards with a member named *name* (whole name or one part, kana or kanji), metadata only.

        A POST, so that names stay out of URLs and server logs."""
        serializer = NameSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cards = services.search_cards(self._user(), self.get_queryset(), serializer.validated_data["name"])
        return Response(CardSummarySerializer(cards, many=True).data)

    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        card = services.withdraw_consent(self._user(), access_card_for_edit(self._user(), pk))
        return Response(CardSummarySerializer(card).data)
