"""The registry follows the network: activating beats re-places the agency's addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from koban.audit.models import AuditEvent
from koban.geography.services import activate_version
from koban.households.importer import HouseholdImportOptions, import_households
from koban.households.models import Household
from koban.households.placement import replace_households
from koban.runs.models import JobRun
from koban.runs.services import execute
from tests.incidents.test_placement import new_beats

pytestmark = pytest.mark.django_db


def _register(tmp_path: Path) -> None:
    path = tmp_path / "addresses.csv"
    path.write_text(
        "address,lon,lat,kind,name,building\n"
        "本町1-1,139.705,35.605,,,\n"  # box A's beat, then B's
        "本町1-2,139.706,35.606,,,\n"
        "山手2-2,139.715,35.605,,,\n",  # box B's beat throughout
        encoding="utf-8",
    )
    report = import_households(path, HouseholdImportOptions(agency_code="T1"), commit=True, actor="test")
    assert report.committed and report.created == 3, report.summary()


def test_activating_new_beats_queues_the_replacement_and_it_moves_households(
    cast, tmp_path, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    _register(tmp_path)
    assert Household.objects.filter(box=cast.box_a).count() == 2
    version = new_beats(cast)
    with django_capture_on_commit_callbacks(execute=True):
        activate_version(cast.planner, version, override_reason="A closes")
    run = JobRun.objects.get(kind="households.replace")
    done = execute(run.pk, actor=cast.planner)
    assert done.status == JobRun.Status.DONE, done.report
    assert done.report["figures"] == {
        "households": 3,
        "moved": 3,
        "changed_box": 2,
        "unplaced": 0,
        "committed": True,
    }
    assert Household.objects.filter(box=cast.box_b, beat__version=version).count() == 3
    assert AuditEvent.objects.filter(action="household.replace").count() == 1
    # Again: nothing moves.
    assert replace_households(cast.planner, cast.agency).moved == 0


def test_a_dry_run_changes_nothing_and_outsiders_may_not(cast, tmp_path):  # type: ignore[no-untyped-def]
    _register(tmp_path)
    version = new_beats(cast)
    activate_version(cast.planner, version, override_reason="A closes")
    assert replace_households(cast.planner, cast.agency, commit=False).changed_box == 2
    assert Household.objects.filter(box=cast.box_a).count() == 2
    with pytest.raises(Exception, match="HQ"):
        replace_households(cast.outsider, cast.agency)
