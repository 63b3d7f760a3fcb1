"""The demo steps of partners and volunteers on the test cast (three beats, a street grid in beat A)."""

from __future__ import annotations

import io
import random

import pytest

from koban.accounts.models import Role
from koban.demo.context import DemoContext
from koban.partners import demo as partners_demo
from koban.partners.models import Agreement, NetworkMeeting, Partner, PartnerAccount
from koban.volunteers import demo as volunteers_demo
from koban.volunteers.models import VolunteerActivity, VolunteerGroup, VolunteerMember
from tests import clock
from tests.factories import make_user
from tests.patrols.test_demo import _grid_streets

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def _context(cast, step: str) -> DemoContext:  # type: ignore[no-untyped-def]
    return DemoContext(
        seed=7,
        agency=cast.agency,
        now=clock.now(),
        stdout=io.StringIO(),
        step=step,
        rng=random.Random(f"7:{step}"),
    )


def test_the_demo_builds_partners_groups_and_their_patrols(cast) -> None:  # type: ignore[no-untyped-def]
    _grid_streets()
    volunteer = make_user(Role.VOLUNTEER, "volunteer.north", agency=cast.agency, station=cast.north)
    staff = make_user(Role.PARTNER, "partner.shops", agency=cast.agency, station=cast.north)
    partners_demo.populate(_context(cast, "partners"))
    assert Partner.objects.filter(agency=cast.agency, kind="company").count() == 1
    assert Agreement.objects.filter(kind="safe_haven").count() == 1
    assert NetworkMeeting.objects.filter(station=cast.north).count() == 3
    assert PartnerAccount.objects.get(user=staff).partner.kind == "shop_street"

    summary = volunteers_demo.populate(_context(cast, "volunteers"))
    groups = VolunteerGroup.objects.filter(agency=cast.agency)
    assert 3 <= groups.count() <= 9, summary
    assert set(groups.values_list("box_id", flat=True)) == {cast.box_a.pk, cast.box_b.pk, cast.box_c.pk}
    # Only beat A has streets: the patrols are all there, along its roads, none in the future.
    patrols = VolunteerActivity.objects.all()
    assert patrols.exists() and set(patrols.values_list("group__box", flat=True)) == {cast.box_a.pk}
    assert all(p.route is not None and p.route.intersects(cast.beat_a.geom) for p in patrols)
    assert all(p.ended_at <= clock.now() for p in patrols)
    member = VolunteerMember.objects.get(user=volunteer)
    assert member.group.station == cast.north and member.role == "leader"
    assert summary.startswith(f"{groups.count()} volunteer groups")
