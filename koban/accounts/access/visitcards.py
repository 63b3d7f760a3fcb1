"""Who may open, change and review visit cards (巡回連絡カード), the most sensitive records of the system.

A card's contents (members, dates of birth, emergency contacts, who needs help in an evacuation) are
opened only by:
- the box officers posted at the box of the card's household (the officers of that beat);
- the card custodian of the box that keeps the card (``visitcards.CardCustodian``, in force now);
- a station chief of that box's station, only through a time-limited grant opened with a recorded
  reason ("break glass", ``visitcards.AccessGrant``); the grant lets them read, not change, the card.
Nobody else: not counsellors, not officers of other boxes, not HQ planners, administrators or
superusers, on the pages, the API or the admin. For them a card id is unknown: 404, and the attempt is
an ``access.denied`` row in the audit trail (decision 0015; the existence of a card says that a
household agreed to give its members' details, which is itself personal).

The custodian and the station chief review the cards of their box or station without their contents:
the list of cards flagged for retention review, the card's audit trail, the break-glass form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox

if TYPE_CHECKING:
    from koban.visitcards.models import DisasterCheck, VisitCard, VisitCardQuerySet


def _model(app: str, name: str) -> Any:
    # Looked up by label: visitcards and households sit above accounts in the dependency order.
    return apps.get_model(app, name)


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _beat_officer_box_id(user: User) -> int | None:
    """The box whose beat *user* works as a box officer (counsellors have no police powers)."""
    if _active(user) and user.role == Role.BOX_OFFICER and user.box_id:
        return int(user.box_id)
    return None


def _chief_station_id(user: User) -> int | None:
    if _active(user) and user.role == Role.STATION_CHIEF and user.station_id:
        return int(user.station_id)
    return None


def custodian_boxes_of(user: User) -> QuerySet[PoliceBox]:
    """Boxes whose cards *user* keeps as the designated card custodian, now."""
    if not _active(user):
        return PoliceBox.objects.none()
    box_ids = _model("visitcards", "CardCustodian").objects.in_force_at(timezone.now()).filter(user=user)
    return PoliceBox.objects.filter(pk__in=box_ids.values("box_id"))


def _workers_condition(user: User) -> Q | None:
    """Cards *user* may read and change: their beat's cards and those they keep as custodian."""
    condition = Q(box__in=custodian_boxes_of(user))
    box_id = _beat_officer_box_id(user)
    if box_id is not None:
        condition |= Q(household__box_id=box_id)
    return condition if _active(user) else None


def cards_editable_by(user: User) -> VisitCardQuerySet:
    """Cards whose contents *user* may read and change (officers of the beat, the box's custodian)."""
    cards = _model("visitcards", "VisitCard").objects
    condition = _workers_condition(user)
    return cards.none() if condition is None else cards.filter(condition)  # type: ignore[no-any-return]


def cards_visible_to(user: User) -> VisitCardQuerySet:
    """Cards whose contents *user* may read: those they may edit, and a chief's cards granted with a reason."""
    cards = _model("visitcards", "VisitCard").objects
    condition = _workers_condition(user)
    if condition is None:
        return cards.none()  # type: ignore[no-any-return]
    station_id = _chief_station_id(user)
    if station_id is not None:
        granted = _model("visitcards", "AccessGrant").objects.in_force_at(timezone.now()).filter(user=user)
        condition |= Q(pk__in=granted.values("card_id"), box__station_id=station_id)
    return cards.filter(condition)  # type: ignore[no-any-return]


def access_card(user: User, card_id: Any) -> VisitCard:
    """The card if *user* may read its contents; ``Http404`` for every other id, unknown alike (audited)."""
    return fetch_or_refuse(user, cards_visible_to(user).select_related("household", "box"), card_id)


def access_card_for_edit(user: User, card_id: Any) -> VisitCard:
    """The card if *user* may change it; ``Http404`` otherwise (audited), also for a chief's granted read."""
    return fetch_or_refuse(user, cards_editable_by(user).select_related("household", "box"), card_id)


def can_edit_card(user: User, card: VisitCard) -> bool:
    return cards_editable_by(user).filter(pk=card.pk).exists()


def cards_reviewable_by(user: User) -> VisitCardQuerySet:
    """Cards whose metadata and audit trail *user* may review, never their contents: the custodian's
    box and the station chief's station."""
    cards = _model("visitcards", "VisitCard").objects
    if not _active(user):
        return cards.none()  # type: ignore[no-any-return]
    condition = Q(box__in=custodian_boxes_of(user))
    station_id = _chief_station_id(user)
    if station_id is not None:
        condition |= Q(box__station_id=station_id)
    return cards.filter(condition)  # type: ignore[no-any-return]


def access_card_for_review(user: User, card_id: Any) -> VisitCard:
    """The card (metadata) if *user* reviews it (custodian, station chief); ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, cards_reviewable_by(user).select_related("household", "box"), card_id)


def can_review_card(user: User, card: VisitCard) -> bool:
    """Whether *user* may see *card*'s trail and decide its retention (custodian, station chief)."""
    return cards_reviewable_by(user).filter(pk=card.pk).exists()


def can_break_glass(user: User, card: VisitCard) -> bool:
    """Whether *user* may open *card* by recording a reason: a station chief of the card's station."""
    station_id = _chief_station_id(user)
    return station_id is not None and card.box.station_id == station_id


def households_for_cards(user: User) -> QuerySet[Any]:
    """Households for which *user* may make a card: those of their beat, and of the box they keep cards for."""
    households = _model("households", "Household").objects
    condition = Q(box__in=custodian_boxes_of(user))
    box_id = _beat_officer_box_id(user)
    if box_id is not None:
        condition |= Q(box_id=box_id)
    return households.filter(condition) if _active(user) else households.none()  # type: ignore[no-any-return]


def access_household_for_card(user: User, household_id: Any) -> Any:
    """The household if *user* may make or export its cards; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, households_for_cards(user).select_related("box"), household_id)


def boxes_for_custodians(user: User) -> QuerySet[PoliceBox]:
    """Boxes whose card custodian *user* may appoint: a station chief, for the boxes of the station."""
    station_id = _chief_station_id(user)
    return PoliceBox.objects.filter(station_id=station_id) if station_id else PoliceBox.objects.none()


def custodian_candidates(box: PoliceBox) -> QuerySet[User]:
    """Who may keep a box's cards: active officers posted at that box."""
    return User.objects.filter(is_active=True, role=Role.BOX_OFFICER, box=box)


def disaster_boxes_of(user: User) -> QuerySet[PoliceBox]:
    """Boxes whose disaster checks *user* may open and follow: an officer's box, a custodian's boxes,
    a station chief's station."""
    if not _active(user):
        return PoliceBox.objects.none()
    condition = Q(pk__in=custodian_boxes_of(user))
    box_id = _beat_officer_box_id(user)
    if box_id is not None:
        condition |= Q(pk=box_id)
    station_id = _chief_station_id(user)
    if station_id is not None:
        condition |= Q(station_id=station_id)
    return PoliceBox.objects.filter(condition)


def disaster_checks_visible_to(user: User) -> QuerySet[DisasterCheck]:
    return _model("visitcards", "DisasterCheck").objects.filter(box__in=disaster_boxes_of(user))  # type: ignore[no-any-return]


def access_disaster_check(user: User, check_id: Any) -> DisasterCheck:
    """The disaster check if *user* follows it; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, disaster_checks_visible_to(user).select_related("box"), check_id)


def card_needs_reason(user: User, card_id: Any) -> bool:
    """Whether *user* is a station chief who could open card *card_id* by recording a reason, but has
    no grant in force (the card page then asks for the reason instead of answering 404)."""
    if _chief_station_id(user) is None:
        return False
    try:
        pk = int(card_id)
    except (TypeError, ValueError):
        return False
    reviewable = cards_reviewable_by(user).filter(pk=pk)
    return reviewable.exists() and not cards_visible_to(user).filter(pk=pk).exists()
