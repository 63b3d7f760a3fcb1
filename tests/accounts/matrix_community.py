"""The community records of the access matrix: a partner working with station North, a volunteer group
of box A linked to it (a member with a login, a patrol with a suspicious person), and the people who
must see none of it (a volunteer of another group, staff of another partner)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.gis.geos import LineString, MultiLineString, Point

from koban.accounts.models import Role, User
from koban.partners.models import Agreement, Partner, PartnerAccount, PartnerContact
from koban.volunteers.models import (
    ActivityObservation,
    AgeBand,
    VolunteerActivity,
    VolunteerGroup,
    VolunteerMember,
)
from tests.factories import make_user
from tests.personas import Cast

CONTACT_MARK = "MATRIXCONTACT"
MEMBER_MARK = "MATRIXMEMBER"
VOLUNTEER_SUSPECT_MARK = "MATRIX-VOLUNTEER-SUSPECT"


@dataclass
class Community:
    partner: Partner
    group: VolunteerGroup
    activity: VolunteerActivity
    member: VolunteerMember
    people: dict[str, User | None]


def _group(cast: Cast, name: str, partner: Partner | None, founded: datetime.date) -> VolunteerGroup:
    return VolunteerGroup.objects.create(
        name=name,
        agency=cast.agency,
        station=cast.north,
        box=cast.box_a,
        partner=partner,
        activities=["foot_patrol"],
        days_per_month=4,
        founded_on=founded,
    )


def build_community(cast: Cast, now: datetime.datetime) -> Community:
    founded = now.date() - datetime.timedelta(days=400)
    partner = Partner.objects.create(name="Ekimae Shotengai", kind="shop_street", agency=cast.agency)
    partner.stations.set([cast.north])
    PartnerContact.objects.create(partner=partner, name=CONTACT_MARK, phone="03-0000-0000", primary=True)
    Agreement.objects.create(partner=partner, kind="safe_haven", title="Safe haven", signed_on=founded)
    other_partner = Partner.objects.create(name="Minato School", kind="school", agency=cast.agency)
    group = _group(cast, "Ekimae Patrol Team", partner, founded)
    other_group = _group(cast, "Yamate Watch", None, founded)
    volunteer = make_user(Role.VOLUNTEER, "m_volunteer", agency=cast.agency)
    stranger = make_user(Role.VOLUNTEER, "m_volunteer_y", agency=cast.agency)
    member = VolunteerMember.objects.create(
        group=group, name=MEMBER_MARK, age_band=AgeBand.AGE_60S, joined_on=founded, user=volunteer
    )
    VolunteerMember.objects.create(
        group=other_group, name="Yamate Member", age_band="70_plus", joined_on=founded, user=stranger
    )
    partner_user = make_user(Role.PARTNER, "m_partner", agency=cast.agency)
    PartnerAccount.objects.create(user=partner_user, partner=partner)
    outsider = make_user(Role.PARTNER, "m_partner_y", agency=cast.agency)
    PartnerAccount.objects.create(user=outsider, partner=other_partner)
    start = now - datetime.timedelta(hours=2)
    activity = VolunteerActivity.objects.create(
        group=group,
        kind="foot_patrol",
        started_at=start,
        ended_at=start + datetime.timedelta(hours=1),
        route=MultiLineString(LineString((139.701, 35.601), (139.706, 35.601), srid=4326), srid=4326),
        source=VolunteerActivity.Source.DRAWN,
        recorded_by=volunteer,
    )
    activity.participants.set([member])
    ActivityObservation.objects.create(
        activity=activity,
        kind=ActivityObservation.Kind.SUSPICIOUS,
        point=Point(139.703, 35.601, srid=4326),
        observed_at=start,
        note=VOLUNTEER_SUSPECT_MARK,
    )
    people: dict[str, User | None] = {
        "volunteer": volunteer,
        "volunteer@group": stranger,
        "partner": partner_user,
        "partner@other": outsider,
    }
    return Community(partner=partner, group=group, activity=activity, member=member, people=people)
