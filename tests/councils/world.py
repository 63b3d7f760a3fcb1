"""A council at box A with members, a held meeting with an opinion, and a planned meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from koban.councils import services
from koban.councils.models import Council, CouncilMember, Meeting, MemberKind, Opinion
from koban.voice.models import RequestCategory
from tests import clock
from tests.personas import Cast

CONTACT_MARK = "090-COUNCIL-CONTACT"
NAME_MARK = "Sato Hanako"


def category(code: str) -> RequestCategory:
    return RequestCategory.objects.get(code=code)


@dataclass
class CouncilWorld:
    council: Council
    chair: CouncilMember
    school: CouncilMember
    last_meeting: Meeting
    opinion: Opinion


def build_council(cast: Cast) -> CouncilWorld:
    """Box A's council: a chair whose term ends in 20 days, a school whose term runs on, one held meeting."""
    today = clock.local_today()
    chief = cast.chief_north
    council = services.open_council(chief, cast.box_a)
    chair_start = today.replace(year=today.year - 2) + dt.timedelta(days=20)
    chair = services.appoint_member(
        chief, council, name=NAME_MARK, contact=CONTACT_MARK, is_chair=True, term_start=chair_start
    )
    school = services.appoint_member(
        chief,
        council,
        name="Suzuki Ichiro",
        kind=MemberKind.SCHOOL,
        organization="Ekimae Elementary School",
        contact="03-0000-0000",
        term_start=today - dt.timedelta(days=100),
    )
    meeting = services.record_meeting(
        cast.officer_a,
        council,
        held_on=today - dt.timedelta(days=40),
        place="Community hall",
        agenda="Bicycle thefts at the station",
        minutes="The chair asked for patrols near the station.",
        attendees=[chair, school],
        other_attendees=2,
    )
    opinion = services.record_opinion(
        cast.officer_a,
        meeting,
        category=category("dark_street"),
        summary="The underpass is dark at night",
        raised_by=chair,
    )
    return CouncilWorld(council, chair, school, meeting, opinion)
