"""Who may open a visit card, branch by branch (koban/accounts/access/visitcards.py)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404

from koban.accounts.access.visitcards import (
    access_card,
    access_card_for_edit,
    access_card_for_review,
    access_household_for_card,
    can_break_glass,
    card_needs_reason,
    cards_visible_to,
)
from koban.accounts.models import Role
from koban.audit.models import AuditEvent
from koban.visitcards.models import VisitCard
from koban.visitcards.services import appoint_custodian, grant_with_reason
from tests import clock
from tests.factories import make_user
from tests.personas import Cast


def _denied(card: VisitCard) -> int:
    return AuditEvent.objects.filter(
        action="access.denied", object_type="visitcards.visitcard", object_id=str(card.pk)
    ).count()


def _refused(user, card: VisitCard) -> None:  # type: ignore[no-untyped-def]
    before = _denied(card)
    with pytest.raises(Http404):
        access_card(user, card.pk)
    assert _denied(card) == before + 1


def test_officer_of_the_beat_reads_and_edits(cast: Cast, card_a: VisitCard) -> None:
    assert access_card(cast.officer_a, card_a.pk) == card_a
    assert access_card_for_edit(cast.officer_a, card_a.pk) == card_a


def test_officer_of_another_box_of_the_station_is_refused_and_audited(cast: Cast, card_a: VisitCard) -> None:
    _refused(cast.officer_b, card_a)


def test_counsellor_of_the_same_box_is_refused(cast: Cast, card_a: VisitCard) -> None:
    _refused(cast.counsellor_a, card_a)


@pytest.mark.parametrize("role", [Role.HQ_PLANNER, Role.ADMINISTRATOR])
def test_hq_and_administrators_are_refused(cast: Cast, card_a: VisitCard, role: str) -> None:
    _refused(make_user(role, agency=cast.agency, is_staff=True), card_a)


def test_superuser_is_refused(cast: Cast, card_a: VisitCard) -> None:
    _refused(make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True), card_a)


def test_inactive_officer_is_refused(cast: Cast, card_a: VisitCard) -> None:
    cast.officer_a.is_active = False
    cast.officer_a.save()
    _refused(cast.officer_a, card_a)


def test_unknown_and_malformed_ids_are_refused_alike(cast: Cast, card_a: VisitCard) -> None:
    for bad in (card_a.pk + 1000, "abc"):
        with pytest.raises(Http404):
            access_card(cast.officer_a, bad)
    assert AuditEvent.objects.filter(action="access.denied", object_type="visitcards.visitcard").count() == 2


def test_custodian_of_the_box_reads_edits_and_reviews(cast: Cast, card_a: VisitCard) -> None:
    keeper = make_user(Role.BOX_OFFICER, agency=cast.agency, station=cast.north, box=cast.box_b)
    _refused(keeper, card_a)
    appoint_custodian(cast.chief_north, cast.box_a, keeper)
    assert access_card(keeper, card_a.pk) == card_a
    assert access_card_for_edit(keeper, card_a.pk) == card_a
    assert access_card_for_review(keeper, card_a.pk) == card_a


def test_custodian_term_ends(cast: Cast, card_a: VisitCard) -> None:
    keeper = make_user(Role.BOX_OFFICER, agency=cast.agency, station=cast.north, box=cast.box_b)
    appoint_custodian(cast.chief_north, cast.box_a, keeper)
    appoint_custodian(cast.chief_north, cast.box_a, cast.officer_a)
    _refused(keeper, card_a)


def test_station_chief_needs_a_recorded_reason(cast: Cast, card_a: VisitCard, time_machine) -> None:  # type: ignore[no-untyped-def]
    chief = cast.chief_north
    assert card_needs_reason(chief, card_a.pk) is True
    assert can_break_glass(chief, card_a)
    _refused(chief, card_a)
    with pytest.raises(ValidationError):
        grant_with_reason(chief, card_a, "why")
    grant_with_reason(chief, card_a, "Lost elderly man found near the station; need his family's number")
    assert access_card(chief, card_a.pk) == card_a
    assert card_needs_reason(chief, card_a.pk) is False
    with pytest.raises(Http404):
        access_card_for_edit(chief, card_a.pk)
    grant = AuditEvent.objects.get(action="visitcard.break_glass")
    assert "Lost elderly man" in grant.after["reason"]
    time_machine.move_to(clock.instant() + datetime.timedelta(hours=9))
    _refused(chief, card_a)


def test_chief_of_another_station_cannot_break_glass(cast: Cast, card_a: VisitCard) -> None:
    other = make_user(Role.STATION_CHIEF, agency=cast.agency, station=cast.south)
    assert not can_break_glass(other, card_a)
    assert card_needs_reason(other, card_a.pk) is False
    with pytest.raises(Http404):
        access_card_for_review(other, card_a.pk)


def test_households_for_new_cards_are_the_beats(cast: Cast, household_a) -> None:  # type: ignore[no-untyped-def]
    assert access_household_for_card(cast.officer_a, household_a.pk) == household_a
    for user in (cast.officer_b, cast.counsellor_a, cast.chief_north, cast.planner):
        with pytest.raises(Http404):
            access_household_for_card(user, household_a.pk)


def test_scoped_list_holds_only_the_users_cards(cast: Cast, card_a: VisitCard) -> None:
    assert list(cards_visible_to(cast.officer_a)) == [card_a]
    for user in (cast.officer_b, cast.counsellor_a, cast.chief_north, cast.planner, cast.outsider):
        assert not cards_visible_to(user).exists()


def test_cards_are_not_in_the_admin() -> None:
    registered = {model._meta.app_label for model in admin.site._registry}
    assert "visitcards" not in registered
