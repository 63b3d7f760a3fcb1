"""Volunteer pages: recording a patrol, the blue-light refusal, the registry, the survey report and exports."""

from __future__ import annotations

import datetime
import json

import pytest

from koban.audit.models import AuditEvent
from koban.voice.models import Request
from koban.volunteers.models import (
    BlueLightCertification,
    CertifiedPatroller,
    PatrolVehicle,
    VolunteerActivity,
)
from tests import clock
from tests.factories import bearer, make_api_token
from tests.volunteers.world import build_survey_world

pytestmark = pytest.mark.django_db
LINE = {"type": "LineString", "coordinates": [[139.701, 35.6015], [139.705, 35.6015]]}


def _times() -> tuple[str, str]:
    end = clock.local_now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=10)
    return (end - datetime.timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M")


def _form(community, **extra):  # type: ignore[no-untyped-def]
    start, end = _times()
    member = community.group.members.get(user=community.people["volunteer"])
    return {
        "group": community.group.pk,
        "kind": "foot_patrol",
        "started_at": start,
        "ended_at": end,
        "participants": [member.pk],
        "route": json.dumps(LINE),
        **extra,
    }


def test_a_volunteer_records_a_drawn_patrol_with_a_suspicious_person(client, community) -> None:  # type: ignore[no-untyped-def]
    client.force_login(community.people["volunteer"])
    assert client.get("/volunteers/activity/new/").status_code == 200
    data = _form(
        community,
        observation_kind="suspicious_person",
        observation_note="Man looking into parked cars",
        observation_lon="139.703",
        observation_lat="35.6015",
    )
    response = client.post("/volunteers/activity/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = VolunteerActivity.objects.exclude(pk=community.activity.pk).get()
    assert activity.group == community.group and activity.source == "drawn"
    assert 350 < activity.distance_m < 370  # 0.004° of longitude at 35.6° N
    assert activity.observations.get().note == "Man looking into parked cars"
    assert AuditEvent.objects.filter(action="volunteers.activity.record", object_id=str(activity.pk)).exists()
    page = client.get(response["Location"])
    assert "Man looking into parked cars" in page.content.decode()


def test_a_volunteer_cannot_record_for_another_group(client, community, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(community.people["volunteer@group"])
    response = client.post("/volunteers/activity/new/", _form(community))
    assert response.status_code == 404
    assert VolunteerActivity.objects.count() == 1


def test_an_uncertified_blue_light_patrol_is_refused_naming_what_is_missing(client, community) -> None:  # type: ignore[no-untyped-def]
    client.force_login(community.people["volunteer"])
    response = client.post("/volunteers/activity/new/", _form(community, kind="blue_light"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Ekimae Patrol Team holds no valid blue-light patrol certificate" in text
    assert "A blue-light patrol needs a registered vehicle." in text
    assert "MATRIXMEMBER is not a certified blue-light patroller" in text
    assert VolunteerActivity.objects.count() == 1


def test_a_certified_blue_light_patrol_is_recorded_and_an_expired_card_is_refused(client, community) -> None:  # type: ignore[no-untyped-def]
    today = clock.local_today()
    group = community.group
    BlueLightCertification.objects.create(
        group=group,
        number="BL-9",
        certified_on=today.replace(year=today.year - 1),
        expires_on=today.replace(year=today.year + 1),
    )
    vehicle = PatrolVehicle.objects.create(
        group=group,
        plate="練馬 300 さ 12",
        registered_on=today.replace(year=today.year - 1),
        expires_on=today.replace(year=today.year + 1),
    )
    member = group.members.get(user=community.people["volunteer"])
    card = CertifiedPatroller.objects.create(
        member=member,
        card_number="P-1",
        trained_on=today.replace(year=today.year - 2),
        expires_on=today - datetime.timedelta(days=1),
    )
    client.force_login(community.people["volunteer"])
    data = _form(community, kind="blue_light", vehicle=vehicle.pk)
    refused = client.post("/volunteers/activity/new/", data)
    assert refused.status_code == 400
    assert "MATRIXMEMBER is not a certified blue-light patroller" in refused.content.decode()
    card.expires_on = today.replace(year=today.year + 1)
    card.save()
    assert client.post("/volunteers/activity/new/", data).status_code == 302
    assert VolunteerActivity.objects.filter(kind="blue_light", vehicle=vehicle).count() == 1


def test_the_registry_shows_a_volunteer_only_their_group_and_audits_member_reads(client, community) -> None:  # type: ignore[no-untyped-def]
    client.force_login(community.people["volunteer"])
    listing = client.get("/volunteers/").content.decode()
    assert "Ekimae Patrol Team" in listing and "Yamate Watch" not in listing
    page = client.get(f"/volunteers/{community.group.pk}/")
    assert page.status_code == 200 and "MATRIXMEMBER" in page.content.decode()
    assert AuditEvent.objects.filter(action="volunteers.volunteermember.read").exists()
    other = community.group.__class__.objects.get(name="Yamate Watch")
    assert client.get(f"/volunteers/{other.pk}/").status_code == 404


def test_the_survey_report_page_and_its_exports(client, cast) -> None:  # type: ignore[no-untyped-def]
    build_survey_world(cast)
    client.force_login(cast.chief_north)
    page = client.get("/volunteers/statistics/")
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        '<strong id="survey-groups">2</strong>' in text and '<strong id="survey-members">17</strong>' in text
    )
    assert "<svg" in text
    csv = client.get("/volunteers/statistics/?format=csv").content.decode("utf-8-sig")
    assert "total,groups,Groups,2" in csv and "total,members,Members,17" in csv and "age,40s,40–49,10" in csv
    pdf = client.get("/volunteers/statistics/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # HQ sees the agency (both stations); another station is refused to the chief.
    client.force_login(cast.planner)
    assert '<strong id="survey-members">37</strong>' in client.get("/volunteers/statistics/").content.decode()
    client.force_login(cast.chief_north)
    assert client.get(f"/volunteers/statistics/?station={cast.south.pk}").status_code == 404


def test_volunteers_and_partners_do_not_read_the_survey(client, community) -> None:  # type: ignore[no-untyped-def]
    for role in ("volunteer", "partner"):
        client.force_login(community.people[role])
        assert client.get("/volunteers/statistics/").status_code == 403


def test_the_box_dashboard_shows_volunteer_activity_in_the_beat(client, community, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    page = client.get(f"/boxes/{cast.box_a.pk}/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Volunteer activity in my beat" in text
    assert f"/volunteers/activity/{community.activity.pk}/" in text
    assert "1 suspicious person" in text


def test_a_suspicious_person_is_sent_to_the_box_once(client, community, cast) -> None:  # type: ignore[no-untyped-def]
    observation = community.activity.observations.get()
    client.force_login(community.people["volunteer"])
    url = f"/volunteers/activity/{community.activity.pk}/observations/{observation.pk}/forward/"
    assert client.post(url).status_code == 302
    request = Request.objects.get()
    assert request.box == cast.box_a and request.source == "volunteer"
    assert request.category.code == "suspicious_person" and "MATRIX-VOLUNTEER-SUSPECT" in request.description
    observation.refresh_from_db()
    assert observation.forwarded_request_id == request.pk
    client.post(url)
    assert Request.objects.count() == 1  # a second press sends nothing
    # Another group's volunteer cannot send it.
    client.force_login(community.people["volunteer@group"])
    assert client.post(url).status_code == 404


def test_the_api_records_a_patrol_and_refuses_an_uncertified_blue_light_one(client, community) -> None:  # type: ignore[no-untyped-def]
    token = make_api_token(community.people["volunteer"], "write")
    start, end = _times()
    body = {
        "group": community.group.pk,
        "kind": "blue_light",
        "participants": [community.member.pk],
        "route": LINE,
        "started_at": f"{start}:00+09:00",
        "ended_at": f"{end}:00+09:00",
        "observations": [
            {
                "kind": "hazard",
                "observed_at": f"{start}:00+09:00",
                "note": "Broken fence",
                "lon": 139.702,
                "lat": 35.6015,
            }
        ],
    }
    refused = client.post(
        "/api/v1/volunteer-activity/", body, content_type="application/json", **bearer(token)
    )
    assert refused.status_code == 400
    assert "Ekimae Patrol Team holds no valid blue-light patrol certificate" in refused.json()["kind"][0]
    body["kind"] = "foot_patrol"
    made = client.post("/api/v1/volunteer-activity/", body, content_type="application/json", **bearer(token))
    assert made.status_code == 201, made.content
    assert made.json()["properties"]["observations"][0]["note"] == "Broken fence"
    assert VolunteerActivity.objects.count() == 2
