"""Incidents follow the network: re-placed on newly active beats; an import can be removed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from koban.audit.models import AuditEvent
from koban.geography.models import BeatVersion
from koban.geography.services import activate_version
from koban.incidents.models import Incident, IncidentImport
from koban.incidents.placement import delete_import, replace_incidents
from koban.runs.models import JobRun
from koban.runs.services import execute
from tests.factories import make_beat, make_version, square
from tests.incidents.test_counts import labelled
from tests.personas import LAT, LON


def new_beats(cast) -> BeatVersion:  # type: ignore[no-untyped-def]
    """A version where box B takes A's ground too (A's beat is dropped: the override says why)."""
    version = make_version(cast.agency, name="B takes over A")
    make_beat(version, cast.box_b, square(LON, LAT, 0.02), code="B-1")
    make_beat(version, cast.box_c, square(LON + 0.02, LAT), code="C-1")
    return version


def test_activating_new_beats_queues_the_replacement_and_it_moves_incidents(
    cast, tmp_path, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    version = new_beats(cast)
    with django_capture_on_commit_callbacks(execute=True):
        activate_version(cast.planner, version, override_reason="A closes")
    run = JobRun.objects.get(kind="incidents.replace")
    assert run.parameters == {"agency": cast.agency.code, "commit": True}
    # What a worker does with the queued run.
    done = execute(run.pk, actor=cast.planner)
    assert done.status == JobRun.Status.DONE, done.report
    figures = done.report["figures"]
    assert (figures["incidents"], figures["moved"], figures["changed_box"]) == (5, 5, 2)
    assert {"box": "Ekimae Koban", "before": 2, "after": 0} in figures["boxes"]
    assert {"box": "Yamate Chuzaisho", "before": 1, "after": 3} in figures["boxes"]
    assert Incident.objects.filter(box=cast.box_b, beat__version=version).count() == 3
    assert AuditEvent.objects.filter(action="incident.replace").count() == 1
    # Again: nothing moves.
    assert replace_incidents(cast.planner, cast.agency).moved == 0


def test_a_dry_run_changes_nothing_and_outsiders_may_not(cast, tmp_path):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    version = new_beats(cast)
    activate_version(cast.planner, version, override_reason="A closes")
    assert replace_incidents(cast.planner, cast.agency, commit=False).changed_box == 2
    assert Incident.objects.filter(box=cast.box_a).count() == 2
    with pytest.raises(Exception, match="HQ"):
        replace_incidents(cast.outsider, cast.agency)
    out = StringIO()
    with translation.override("en"):
        call_command("replace_incidents", "--agency", cast.agency.code, "--commit", stdout=out)
    assert "5 of 5 located incidents of Test Prefectural Police change beat, 2 of them box" in out.getvalue()
    assert not Incident.objects.filter(box=cast.box_a).exists()


def test_an_import_is_listed_and_removed_with_its_incidents(cast, tmp_path):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    batch = IncidentImport.objects.get()
    out = StringIO()
    with translation.override("en"):
        call_command("incident_imports", "--agency", cast.agency.code, stdout=out)
        assert f"#{batch.pk} " in out.getvalue() and "5 imported" in out.getvalue()
        call_command("incident_imports", "--delete", str(batch.pk), stdout=out)
        assert Incident.objects.count() == 5  # a dry run
        call_command(
            "incident_imports", "--delete", str(batch.pk), "--commit", "--user", "planner", stdout=out
        )
        assert "Removed import" in out.getvalue()
        with pytest.raises(CommandError, match="no import"):
            call_command("incident_imports", "--delete", str(batch.pk), "--commit")
    assert not Incident.objects.exists()
    event = AuditEvent.objects.get(action="incident_import.delete")
    assert event.actor == cast.planner and event.before["incidents"] == 5


def test_another_agencys_planner_may_not_remove_an_import(cast, tmp_path):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    with pytest.raises(Exception, match="HQ"):
        delete_import(cast.outsider, IncidentImport.objects.get())
    assert Incident.objects.count() == 5
