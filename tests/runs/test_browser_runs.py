"""In a browser: upload a box file in the admin, watch the run page pick up the report, import it."""

from __future__ import annotations

import pytest

from koban.organization.models import PoliceBox
from koban.runs.models import JobRun
from koban.runs.services import execute
from tests.factories import PASSWORD
from tests.runs.test_runs import box_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_DIR = tmp_path / "uploads"


def test_a_planner_uploads_follows_the_dry_run_and_imports(live_server, page, cast, tmp_path):  # type: ignore[no-untyped-def]
    csv_file = tmp_path / "boxes.csv"
    csv_file.write_bytes(box_csv(3))
    page.goto(f"{live_server.url}/admin/organization/policebox/import/")
    page.fill("#id_username", "planner")
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")
    page.set_input_files("#id_file", str(csv_file))
    page.select_option("#id_agency", str(cast.agency.pk))
    page.click("input[type=submit].default")
    page.wait_for_selector("#run-status.run-queued", timeout=15000)
    assert "Waiting for a task worker" in page.inner_text("#run-status")

    # The worker's part; the page finds the report by itself (htmx polls every second).
    execute(JobRun.objects.get().pk)
    page.wait_for_selector("#run-status.run-done", timeout=15000)
    assert "Dry run: nothing was written" in page.inner_text("#run-status")
    page.click("#run-status button[type=submit]")  # "Import"
    page.wait_for_selector("#run-status.run-queued", timeout=15000)

    execute(JobRun.objects.get(previous__isnull=False).pk)
    page.wait_for_selector("#run-status.run-done", timeout=15000)
    assert "Import committed." in page.inner_text("#run-status")
    assert PoliceBox.objects.filter(code__startswith="R").count() == 3
