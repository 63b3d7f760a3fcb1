"""The records and people of the access matrix: one of each record at box A, and someone in every posting.

Box A (koban) and box B (chuzaisho) are in station North, box C in station South, all of agency T1;
box X belongs to station West of another agency. Every record the matrix asks about belongs to box A,
except ``backup_incident``: an incident of box C to which box A's units were sent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.gis.geos import LineString, MultiLineString, Point, Polygon

from koban.accounts.models import ApiToken, Role, User
from koban.accounts.tokens import create_api_token
from koban.counter.models import CounterCategory, CounterMatter
from koban.households import services as households
from koban.households.models import Household, Outcome, Visit
from koban.incidents.models import Dispatch, Incident, IncidentCategory, IncidentEvent, Status
from koban.lostfound import services as lostfound
from koban.lostfound.models import FoundItem, ItemCategory, ItemTask, LossReport
from koban.newsletters import services as newsletters
from koban.newsletters.models import Newsletter
from koban.organization.models import PoliceBox
from koban.patrols.models import Observation, Patrol, PatrolCard, PatrolStop
from koban.rosters.models import (
    BoxShiftPlan,
    DutyRecord,
    EntryKind,
    EntrySource,
    LeaveRequest,
    Outing,
    PlanMember,
    RosterEntry,
    ShiftPattern,
)
from koban.runs.models import JobRun
from koban.visitcards.disaster import open_check
from koban.visitcards.models import DisasterCheck, VisitCard
from koban.visitcards.services import CardInput, create_card
from koban.voice import services as voice
from koban.voice.models import Action as VoiceAction
from koban.voice.models import ActionKind, RequestCategory, Source
from koban.voice.models import Request as VoiceRequest
from tests.accounts.matrix_attachments import build_attachments
from tests.accounts.matrix_community import Community, build_community
from tests.councils.world import CouncilWorld, build_council
from tests.factories import make_box, make_station, make_user
from tests.personas import Cast

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TOKYO)

# Text that appears on a page or in an API answer only when the record (or its personal field) is shown.
INCIDENT_MARK = "MATRIX-INCIDENT-ADDRESS"
CALLER_MARK = "MATRIXCALLER"  # the caller's name of box A's incident (masked for counsellors)
ITEM_MARK = "MATRIX-ITEM-DESCRIPTION"
FINDER_MARK = "MATRIXFINDER"
REPORT_MARK = "MATRIX-REPORT-DESCRIPTION"
PATROL_MARK = "MATRIX-PATROL-NOTE"
SUSPECT_MARK = "MATRIX-SUSPECT"
CARD_MARK = "MATRIX-CARD-ADDRESS"
MATTER_MARK = "MATRIX-COUNTER-SUMMARY"
CUSTODY_MARK = "MATRIX-CUSTODY-PERSON"
LEAVE_MARK = "MATRIX-LEAVE-NOTE"
HANDOVER_MARK = "MATRIX-HANDOVER-TEXT"
ALERT_MARK = "MATRIX-ALERT-PLACE"
SUBSCRIPTION_MARK = "matrix-subscriber@example.jp"
VOICE_MARK = "MATRIX-VOICE-DESCRIPTION"
REPORTER_MARK = "MATRIXREPORTER"
ACTION_MARK = "MATRIX-ACTION-TITLE"
HOUSEHOLD_MARK = "MATRIX-HOUSEHOLD-ADDRESS"
VISIT_MARK = "MATRIX-VISIT-REQUEST"
VISIT_CARD_MARK = "MATRIXCARDMEMBER"


@dataclass
class World:
    cast: Cast
    people: dict[str, User | None]
    box_x: PoliceBox
    incident: Incident
    backup_incident: Incident
    item: FoundItem
    report: LossReport
    task: ItemTask
    patrol: Patrol
    matter: CounterMatter
    leave: RosterEntry
    duty: RosterEntry
    duty_record: DutyRecord
    plan: BoxShiftPlan
    outing: Outing
    leave_request: LeaveRequest
    run: JobRun
    token: ApiToken
    community: Community
    voice_request: VoiceRequest
    voice_action: VoiceAction
    household: Household
    visit: Visit
    visit_card: VisitCard
    disaster: DisasterCheck
    councils: CouncilWorld
    newsletter: Newsletter
    handover: Any = None
    alert: Any = None
    subscription: Any = None
    attachments: Any = None  # tests.accounts.matrix_attachments.Attachments


def _people(cast: Cast, box_x: PoliceBox) -> dict[str, User | None]:
    agency, other = cast.agency, cast.outsider.agency
    # HQ planners work in the admin (the demo makes them staff too).
    User.objects.filter(pk__in=[cast.planner.pk, cast.outsider.pk]).update(is_staff=True)
    cast.planner.is_staff = cast.outsider.is_staff = True
    box_c, south, west = cast.box_c, cast.south, box_x.station
    return {
        "officer": cast.officer_a,
        "officer@box": cast.officer_b,
        "officer@station": make_user(
            Role.BOX_OFFICER, "m_officer_c", agency=agency, station=south, box=box_c
        ),
        "officer@agency": make_user(Role.BOX_OFFICER, "m_officer_x", agency=other, station=west, box=box_x),
        "counsellor": cast.counsellor_a,
        "counsellor@station": make_user(
            Role.BOX_COUNSELLOR, "m_counsellor_c", agency=agency, station=south, box=box_c
        ),
        "counsellor@agency": make_user(
            Role.BOX_COUNSELLOR, "m_counsellor_x", agency=other, station=west, box=box_x
        ),
        "chief": cast.chief_north,
        "chief@station": make_user(Role.STATION_CHIEF, "m_chief_s", agency=agency, station=south),
        "chief@agency": make_user(Role.STATION_CHIEF, "m_chief_w", agency=other, station=west),
        "planner": cast.planner,
        "planner@agency": cast.outsider,
        "admin": make_user(Role.ADMINISTRATOR, "m_admin", agency=agency, is_staff=True),
        "admin@agency": make_user(Role.ADMINISTRATOR, "m_admin_x", agency=other, is_staff=True),
        "superuser": make_user(Role.ADMINISTRATOR, "m_root", is_staff=True, is_superuser=True),
        "anonymous": None,
    }


def _incidents(cast: Cast) -> tuple[Incident, Incident]:
    theft = IncidentCategory.objects.get(code="theft")
    common: dict[str, Any] = {"agency": cast.agency, "category": theft, "priority": 3}
    incident = Incident.objects.create(
        **common,
        box=cast.box_a,
        station=cast.north,
        beat=cast.beat_a,
        location=Point(139.705, 35.605, srid=4326),
        address=INCIDENT_MARK,
        caller_name=CALLER_MARK,
        caller_phone="090-0000-1111",
        description="Bicycle taken from the rack",
        received_at=NOW - datetime.timedelta(minutes=30),
    )
    IncidentEvent.objects.create(
        incident=incident,
        at=incident.received_at,
        action="received",
        from_status="",
        to_status=Status.RECEIVED,
    )
    backup = Incident.objects.create(
        **common,
        box=cast.box_c,
        station=cast.south,
        beat=cast.beat_c,
        location=Point(139.725, 35.605, srid=4326),
        address="Minato 1-1",
        status=Status.DISPATCHED,
        received_at=NOW - datetime.timedelta(minutes=20),
        dispatched_at=NOW - datetime.timedelta(minutes=15),
    )
    sent = Dispatch.objects.create(incident=backup, box=cast.box_a, dispatched_at=backup.dispatched_at)
    sent.officers.set([cast.officer_a])
    return incident, backup


def _lost_property(cast: Cast) -> tuple[FoundItem, LossReport, ItemTask]:
    wallet = ItemCategory.objects.get(code="wallet")
    handed = NOW - datetime.timedelta(days=1)
    item = lostfound.receive_item(
        cast.chief_north,
        cast.box_a,
        category=wallet,
        description=ITEM_MARK,
        found_place="Ekimae rotary",
        found_at=handed - datetime.timedelta(hours=1),
        handed_in_at=handed,
        finder_name=FINDER_MARK,
        finder_contact="090-1234-5678",
        now=handed,
    )
    report = lostfound.report_loss(
        cast.chief_north,
        cast.box_a,
        category=wallet,
        description=REPORT_MARK,
        owner_name="Owner Person",
        owner_contact="080-0000-1111",
        lost_from=handed - datetime.timedelta(hours=5),
        lost_to=handed - datetime.timedelta(hours=2),
        now=handed,
    )
    task = ItemTask.objects.create(
        item=item, kind=ItemTask.Kind.choices[0][0], due_on=NOW.date(), created_on=NOW.date()
    )
    return item, report, task


def _patrol(cast: Cast) -> Patrol:
    start = NOW - datetime.timedelta(hours=3)
    route = MultiLineString(LineString((139.701, 35.601), (139.706, 35.601), srid=4326), srid=4326)
    patrol = Patrol.objects.create(
        box=cast.box_a,
        started_at=start,
        ended_at=start + datetime.timedelta(hours=1),
        route=route,
        source=Patrol.Source.DRAWN,
        distance_m=450.0,
        note=PATROL_MARK,
        created_by=cast.officer_a,
    )
    patrol.officers.set([cast.officer_a])
    where = Point(139.703, 35.601, srid=4326)
    PatrolStop.objects.create(patrol=patrol, point=where, arrived_at=start, left_at=start)
    Observation.objects.create(
        patrol=patrol, kind=Observation.Kind.SUSPICIOUS, point=where, observed_at=start, note=SUSPECT_MARK
    )
    PatrolCard.objects.create(patrol=patrol, address=CARD_MARK, point=where, left_at=start)
    return patrol


def _counter(cast: Cast) -> CounterMatter:
    custody = CounterCategory.objects.filter(custody=True).first() or CounterCategory.objects.first()
    return CounterMatter.objects.create(
        box=cast.box_a,
        received_at=NOW - datetime.timedelta(hours=1),
        category=custody,
        summary=MATTER_MARK,
        handled_by=cast.officer_a,
        recorded_by=cast.officer_a,
        person_description=CUSTODY_MARK,
    )


def _rosters(cast: Cast) -> tuple[RosterEntry, RosterEntry, DutyRecord, BoxShiftPlan]:
    day = datetime.datetime(2026, 3, 5, 8, 30, tzinfo=TOKYO)
    common: dict[str, Any] = {"box": cast.box_a, "officer": cast.officer_a, "source": EntrySource.MANUAL}
    leave = RosterEntry.objects.create(
        **common, start=day, end=day + datetime.timedelta(days=1), kind=EntryKind.LEAVE, note=LEAVE_MARK
    )
    later = day + datetime.timedelta(days=3)
    duty = RosterEntry.objects.create(
        **common, start=later, end=later + datetime.timedelta(hours=24), kind=EntryKind.DUTY
    )
    duty_record = DutyRecord.objects.create(
        box=cast.box_a,
        officer=cast.officer_a,
        signed_on_at=NOW - datetime.timedelta(days=1),
        signed_off_at=NOW - datetime.timedelta(hours=2),
        recorded_by=cast.officer_a,
        note=LEAVE_MARK,
    )
    plan = BoxShiftPlan.objects.create(
        box=cast.box_a, pattern=ShiftPattern.objects.first(), anchor=NOW.date(), valid_from=NOW.date()
    )
    PlanMember.objects.create(plan=plan, officer=cast.officer_a, group=0)
    return leave, duty, duty_record, plan


def _presence(cast: Cast) -> tuple[Outing, LeaveRequest]:
    """Officer A out on patrol now, and A's leave request waiting for the chief."""
    outing = Outing.objects.create(
        box=cast.box_a,
        officer=cast.officer_a,
        kind=Outing.Kind.PATROL,
        started_at=NOW - datetime.timedelta(minutes=30),
        recorded_by=cast.officer_a,
    )
    later = datetime.datetime(2026, 3, 20, 8, 30, tzinfo=TOKYO)
    leave_request = LeaveRequest.objects.create(
        box=cast.box_a,
        officer=cast.officer_a,
        start=later,
        end=later + datetime.timedelta(days=2),
        note=LEAVE_MARK,
        requested_at=NOW - datetime.timedelta(days=1),
    )
    return outing, leave_request


def _handover(cast: Cast) -> Any:
    """An instruction of the North chief in box A's handover log, for box A's officers to acknowledge."""
    from koban.rosters.models import HandoverEntry

    return HandoverEntry.objects.create(
        box=cast.box_a, written_by=cast.chief_north, written_at=NOW, priority="urgent", text=HANDOVER_MARK
    )


def _alerts(cast: Cast) -> tuple[Any, Any]:
    """A suspicious-person draft of box A by its officer, and the officer's own e-mail subscription."""
    from koban.alerts import services as alerts
    from koban.alerts.models import Channel, Subscription
    from tests.alerts.helpers import beat_a_area, suspicious_person

    draft = alerts.draft_alert(
        cast.officer_a,
        box=cast.box_a,
        kind="suspicious_person",
        data=suspicious_person(place=ALERT_MARK, occurred_at=NOW.isoformat()),
        areas=[beat_a_area(cast)],
        now=NOW,
    )
    subscription = Subscription.objects.create(
        channel=Channel.EMAIL,
        email=SUBSCRIPTION_MARK,
        geom=cast.beat_a.geom,
        created_at=NOW,
        confirmed_at=NOW,
        user=cast.officer_a,
    )
    return draft, subscription


def _voice(cast: Cast) -> tuple[VoiceRequest, VoiceAction]:
    request = voice.submit_request(
        source=Source.PUBLIC,
        point=Point(139.705, 35.605, srid=4326),
        category=RequestCategory.objects.get(code="dark_street"),
        description=VOICE_MARK,
        reporter=voice.Reporter(name=REPORTER_MARK, email="resident@example.jp"),
    )
    action = VoiceAction.objects.create(
        box=cast.box_a,
        kind=ActionKind.VISIT,
        title=ACTION_MARK,
        due_on=NOW.date() + datetime.timedelta(days=7),
        created_at=NOW,
    )
    action.requests.set([request])
    return request, action


def _households(cast: Cast) -> tuple[Household, Visit]:
    household = households.add_household(
        cast.officer_a, point=Point(139.704, 35.604, srid=4326), address=HOUSEHOLD_MARK
    )
    visit = households.record_visit(
        cast.officer_a,
        household,
        visited_at=NOW - datetime.timedelta(days=2),
        outcome=Outcome.MET,
        requests=VISIT_MARK,
        now=NOW,
    )
    return household, visit


def _visit_card(cast: Cast, household: Household) -> tuple[VisitCard, DisasterCheck]:
    """A card of box A's household (someone needing help, disaster checks agreed) and a check over it."""
    contents = {
        "members": [{"name": VISIT_CARD_MARK, "needs_help": True}],
        "contacts": [{"name": "Contact", "phone": "090-0000-0000"}],
        "notes": "",
    }
    card = create_card(
        cast.officer_a, household, CardInput("household", "ja", contents), consent_scopes=["keep", "disaster"]
    )
    area = Polygon.from_bbox((139.70, 35.60, 139.71, 35.61))
    area.srid = 4326
    return card, open_check(cast.officer_a, cast.box_a, "Flood", area)


def build_world(cast: Cast) -> World:
    west = make_station(cast.outsider.agency, code="W", name="West Station")
    box_x = make_box(west, code="X", name="Faraway Koban", location=Point(135.5, 34.7, srid=4326))
    incident, backup = _incidents(cast)
    item, report, task = _lost_property(cast)
    leave, duty, duty_record, plan = _rosters(cast)
    community = build_community(cast, NOW)
    outing, leave_request = _presence(cast)
    alert, subscription = _alerts(cast)
    voice_request, voice_action = _voice(cast)
    household, visit = _households(cast)
    visit_card, disaster = _visit_card(cast, household)
    world = World(
        cast=cast,
        people=_people(cast, box_x) | community.people,
        box_x=box_x,
        incident=incident,
        backup_incident=backup,
        item=item,
        report=report,
        task=task,
        patrol=_patrol(cast),
        matter=_counter(cast),
        leave=leave,
        duty=duty,
        duty_record=duty_record,
        plan=plan,
        outing=outing,
        leave_request=leave_request,
        handover=_handover(cast),
        run=JobRun.objects.create(
            kind="geography.import_beats",
            title="Beats",
            agency_code=cast.agency.code,
            started_by=cast.planner,
        ),
        token=create_api_token(cast.officer_a, name="Phone", scope=ApiToken.Scope.choices[0][0], days=30)[0],
        community=community,
        alert=alert,
        subscription=subscription,
        voice_request=voice_request,
        voice_action=voice_action,
        household=household,
        visit=visit,
        visit_card=visit_card,
        disaster=disaster,
        councils=build_council(cast),
        newsletter=newsletters.generate_issue(None, cast.box_a, NOW.date()),
    )
    world.attachments = build_attachments(cast, incident, item)
    return world
