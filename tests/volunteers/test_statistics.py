"""The survey's counting rule and figures on a small world whose numbers are known by hand."""

from __future__ import annotations

from koban.volunteers.models import VolunteerGroup
from koban.volunteers.statistics import survey_report
from tests.volunteers.world import DAY, build_survey_world


def test_counting_rule_keeps_monthly_groups_of_five_or_more(cast) -> None:  # type: ignore[no-untyped-def]
    world = build_survey_world(cast)
    counted = VolunteerGroup.objects.counted(DAY)
    assert set(counted.values_list("name", flat=True)) == {"Ekimae Patrol", "Yamate Blue", "Minato Seniors"}
    sizes = dict(counted.values_list("name", "member_count"))
    assert sizes == {"Ekimae Patrol": 5, "Yamate Blue": 12, "Minato Seniors": 20}
    # The day before the blue team was founded it did not exist yet.
    earlier = VolunteerGroup.objects.counted(world.blue_team.founded_on.replace(day=1).replace(month=2))
    assert "Yamate Blue" not in set(earlier.values_list("name", flat=True))


def test_station_report(cast) -> None:  # type: ignore[no-untyped-def]
    build_survey_world(cast)
    report = survey_report(
        VolunteerGroup.objects.of_stations(type(cast.north).objects.filter(pk=cast.north.pk)),
        area="North",
        day=DAY,
        years=[2023, 2024, 2025],
    )
    assert (report.groups, report.members) == (2, 17)
    assert dict(report.by_size) == {"5-9": 1, "10-19": 1, "20-49": 0, "50-99": 0, "100+": 0}
    ages = {code: n for code, _label, n in report.by_age}
    assert ages == {"under_20": 0, "20s": 2, "30s": 0, "40s": 10, "50s": 0, "60s": 3, "70_plus": 2}
    activities = {code: n for code, _label, n in report.by_activity}
    assert (activities["foot_patrol"], activities["school_route"], activities["blue_light"]) == (2, 1, 1)
    assert (report.blue_light_groups, report.blue_light_vehicles, report.blue_light_patrollers) == (1, 1, 2)
    # At the end of 2023 only the Disbanded group (9 members, founded 2020) and "Too Small"/"Rarely Out"
    # existed in North; only Disbanded counted. 2024 adds Ekimae Patrol and Shrinking (6 then).
    assert [(y.year, y.groups, y.members) for y in report.trend] == [
        (2023, 1, 9),
        (2024, 3, 20),
        (2025, 4, 32),
    ]


def test_agency_report_adds_the_other_station(cast) -> None:  # type: ignore[no-untyped-def]
    build_survey_world(cast)
    report = survey_report(VolunteerGroup.objects.filter(agency=cast.agency), area="T1", day=DAY)
    assert (report.groups, report.members) == (3, 37)
    assert dict(report.by_size)["20-49"] == 1
    assert {code: n for code, _label, n in report.by_age}["70_plus"] == 22
    assert report.seniors_share == round(100 * 22 / 37, 1)
