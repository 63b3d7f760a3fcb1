"""Background runs: started from the admin or a service, run by a worker, followed, cancelled, reported.

The imports write in one transaction, so a cancelled or failed run must leave no box behind; the
upload limit must answer at once, before any file is stored or parsed.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.urls import reverse

from koban.organization.models import PoliceBox
from koban.runs import registry
from koban.runs.models import JobRun
from koban.runs.registry import RunContext, register
from koban.runs.services import execute, request_cancel, start_run
from tests.factories import PASSWORD

LON, LAT = 139.70, 35.60
HEADER = "code,name,kind,station_code,lat,lon\r\n"
IMPORT_BOXES = "admin:organization_policebox_import"


def box_csv(count: int) -> bytes:
    rows = [
        f"R{n:04d},交番{n},koban,N,{LAT + 0.0001 * (n % 90):.4f},{LON + 0.0001 * (n // 90):.4f}\r\n"
        for n in range(count)
    ]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


@pytest.fixture
def every_progress(monkeypatch):  # type: ignore[no-untyped-def]
    """Record every progress call on the run row (runs normally write at most twice a second)."""
    monkeypatch.setattr(registry, "PROGRESS_INTERVAL_S", 0)


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def start_box_import(cast, content: bytes, commit: bool) -> JobRun:  # type: ignore[no-untyped-def]
    return start_run(
        "geography.import_boxes",
        actor=cast.planner,
        parameters={"agency": cast.agency.code, "mode": "table", "commit": commit},
        agency_code=cast.agency.code,
        upload=SimpleUploadedFile("boxes.csv", content),
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_queued_import_to_the_end(cast):  # type: ignore[no-untyped-def]
    from procrastinate.contrib.django import app

    run = start_box_import(cast, box_csv(3), commit=True)

    # What `koban procrastinate worker` does: the worker talks to the database through psycopg directly.
    # Its own thread: a browser test of the same session may have left an event loop in this one.
    def work() -> None:
        with app.replace_connector(app.connector.get_worker_connector()):  # type: ignore[attr-defined]
            app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False, queues=["runs"])

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=120)
    run.refresh_from_db()
    assert run.status == JobRun.Status.DONE, run.report
    assert run.report["committed"] and run.started_at and run.finished_at
    assert PoliceBox.objects.filter(code__startswith="R").count() == 3


def cancel_from_elsewhere(run_id: int) -> None:
    """Ask to cancel as the run page does: from another connection, committed at once."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("UPDATE runs_jobrun SET cancel_requested = true WHERE id = %s", [run_id])
    finally:
        other.close()


def progress_row(run_id: int) -> tuple[Any, ...]:
    return JobRun.objects.values_list("progress_message", "progress_done", "progress_total").get(pk=run_id)


@pytest.mark.django_db(transaction=True)
def test_progress_from_the_import_core_is_recorded_on_the_run(cast, every_progress):  # type: ignore[no-untyped-def]
    run = start_box_import(cast, box_csv(450), commit=True)
    seen: list[tuple[str, int, int | None, tuple[Any, ...]]] = []

    def echo(stage: str, done: int, total: int | None) -> None:
        seen.append((stage, done, total, progress_row(run.pk)))

    run = execute(run.pk, echo=echo)
    assert run.status == JobRun.Status.DONE
    stages = [(stage, done, total) for stage, done, total, _ in seen]
    assert ("checking", 450, 450) in stages and ("writing", 400, 450) in stages
    rows = {(stage, done): row for stage, done, _, row in seen}
    # Each call finds the previous one on the run row; those inside the write transaction as well.
    assert rows[("writing", 0)] == ("checking", 450, 450)
    assert rows[("writing", 400)] == ("writing", 200, 450)
    assert progress_row(run.pk) == ("writing", 450, 450)
    assert PoliceBox.objects.filter(code__startswith="R").count() == 450


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_import_writes_nothing(cast, every_progress):  # type: ignore[no-untyped-def]
    before = PoliceBox.objects.count()
    run = start_box_import(cast, box_csv(450), commit=True)

    def echo(stage: str, done: int, total: int | None) -> None:
        if stage == "writing" and done == 200:  # 200 boxes are already written in the transaction
            cancel_from_elsewhere(run.pk)

    run = execute(run.pk, echo=echo)
    assert run.status == JobRun.Status.CANCELLED
    assert run.report["summary"].startswith("Cancelled: nothing was written.")
    assert run.progress_done == 200
    assert PoliceBox.objects.count() == before


def test_a_queued_run_is_cancelled_at_once_and_never_runs(cast):  # type: ignore[no-untyped-def]
    run = start_box_import(cast, box_csv(3), commit=True)
    request_cancel(run, cast.planner)
    run = execute(run.pk)
    assert run.status == JobRun.Status.CANCELLED and run.started_at is None
    assert not PoliceBox.objects.filter(code__startswith="R").exists()


@register("tests.crash", "crashing run")
def _crash(context: RunContext) -> dict[str, Any]:
    context.partial_report = lambda: {"notes": ["read 10 rows"]}
    context.progress("working", 10, 20)
    raise RuntimeError("disk on fire")


def test_a_crashing_run_fails_and_keeps_its_report(cast):  # type: ignore[no-untyped-def]
    run = start_run("tests.crash", actor=cast.planner, parameters={}, background=False)
    run = execute(run.pk)
    assert run.status == JobRun.Status.FAILED
    assert "disk on fire" in run.error and run.report["summary"].startswith("The run failed: disk on fire.")
    assert run.report["notes"] == ["read 10 rows"] and run.progress_done == 10


def test_a_run_whose_file_is_gone_fails_with_a_clear_report(cast, uploads):  # type: ignore[no-untyped-def]
    import shutil

    run = start_box_import(cast, box_csv(3), commit=False)
    shutil.rmtree(uploads)
    run = execute(run.pk)
    assert run.status == JobRun.Status.FAILED
    assert run.report["summary"] == "The uploaded file is no longer available; upload it again."


@pytest.mark.parametrize("size", [5_000, 300_000])
def test_a_file_over_the_limit_is_refused_at_once_and_not_stored(cast, settings, uploads, size):  # type: ignore[no-untyped-def]
    # 5 kB: counted while it arrives; 300 kB: the request's length alone tells.
    settings.UPLOAD_MAX_BYTES = 1_000
    client = login(cast.planner)
    data = {"file": SimpleUploadedFile("big.csv", b"x" * size), "mode": "table", "agency": cast.agency.pk}
    response = client.post(reverse(IMPORT_BOXES), data)
    assert response.status_code == 413
    assert "The file big.csv is too large" in response.content.decode()
    assert "files up to 1000" in response.content.decode()
    assert not JobRun.objects.exists()
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_file_under_the_limit_starts_a_run(cast, settings):  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1_000
    client = login(cast.planner)
    data = {"file": SimpleUploadedFile("small.csv", box_csv(2)), "mode": "table", "agency": cast.agency.pk}
    response = client.post(reverse(IMPORT_BOXES), data)
    assert response.status_code == 302
    assert JobRun.objects.get().file_name == "small.csv"


def test_the_run_page_polls_until_the_run_ends_then_shows_the_report(cast):  # type: ignore[no-untyped-def]
    run = start_box_import(cast, HEADER.encode() + "E,港交番,koban,N,north,139.70\r\n".encode(), commit=False)
    client = login(cast.planner)
    page = client.get(reverse("web:run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "queued" in page and "Cancel the run" in page
    execute(run.pk)
    part = client.get(reverse("web:run", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in part and "<html" not in part
    assert "failed" in part and "line 2" in part and "unparseable coordinate" in part
    listing = client.get(reverse("web:runs")).content.decode()
    assert reverse("web:run", args=[run.pk]) in listing


def test_the_cancel_button_stops_a_queued_run(cast):  # type: ignore[no-untyped-def]
    run = start_box_import(cast, box_csv(3), commit=True)
    response = login(cast.planner).post(reverse("web:run-cancel", args=[run.pk]), follow=True)
    assert "Cancel requested" in response.content.decode()
    run.refresh_from_db()
    assert run.status == JobRun.Status.CANCELLED


def test_runs_of_an_agency_are_hidden_from_others(cast):  # type: ignore[no-untyped-def]
    run = start_box_import(cast, box_csv(1), commit=False)
    outsider = login(cast.outsider)
    assert outsider.get(reverse("web:run", args=[run.pk])).status_code == 404
    assert outsider.post(reverse("web:run-cancel", args=[run.pk])).status_code == 404
    assert reverse("web:run", args=[run.pk]) not in outsider.get(reverse("web:runs")).content.decode()
    officer = login(cast.officer_a)
    assert officer.get(reverse("web:runs")).status_code == 404
    assert officer.get(reverse("web:run", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status == JobRun.Status.QUEUED


def test_the_20_mb_box_file_of_the_walkthrough_gets_a_clear_answer(cast, settings, uploads):  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # the documented default
    content = box_csv(1)  # a valid header and row, then padding up to 20 MB (19.1 MiB)
    content += b"," * (20_000_000 - len(content))
    client = login(cast.planner)
    data = {"file": SimpleUploadedFile("boxes.csv", content), "mode": "table", "agency": cast.agency.pk}
    response = client.post(reverse(IMPORT_BOXES), data)
    assert response.status_code == 413
    text = response.content.decode()
    assert (
        "The file boxes.csv is too large (at least 19.1\xa0MB); files up to 10.0\xa0MB can be uploaded."
        in text
    )
    assert not JobRun.objects.exists() and not uploads.exists()


def test_the_upload_form_offers_only_the_agencies_the_planner_oversees(cast):  # type: ignore[no-untyped-def]
    cast.outsider.is_staff = True
    cast.outsider.save()
    client = login(cast.outsider)
    page = client.get(reverse(IMPORT_BOXES)).content.decode()
    assert cast.agency.name not in page and "Other Prefectural Police" in page
    data = {"file": SimpleUploadedFile("boxes.csv", box_csv(1)), "mode": "table", "agency": cast.agency.pk}
    response = client.post(reverse(IMPORT_BOXES), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not JobRun.objects.exists()
