"""Schemathesis over the whole OpenAPI schema, as an HQ planner and as a box officer.

A server started by the test (pytest-django's live server) answers requests generated from the schema,
valid and invalid; every answer must be free of server errors, match the documented response schema and
carry a documented status code. The run is bounded (fixed seed, a few examples per operation and a time
budget), so it finds the same things on every run and keeps CI within minutes.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from koban.counter import services as counter_services
from koban.counter.models import CounterCategory
from koban.incidents import services as incident_services
from koban.incidents.models import IncidentCategory
from tests.factories import make_api_token
from tests.lostfound.helpers import receive
from tests.personas import LAT, LON

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
SEED = 20261201
MAX_EXAMPLES = 8
SECONDS_PER_PERSONA = 75
HOOKS = Path(__file__).with_name("fuzz_hooks.py")
RECEIVED = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def existing_rows(cast) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """A few rows at box A for the detail and action operations to find, by collection path."""
    located = incident_services.intake_incident(
        cast.officer_a,
        category=IncidentCategory.objects.get(code="theft"),
        received_at=RECEIVED,
        lon=LON + 0.005,
        lat=LAT + 0.005,
    ).incident
    address_only = incident_services.intake_incident(
        cast.officer_a,
        category=IncidentCategory.objects.get(code="theft"),
        received_at=RECEIVED,
        address="駅前",
    ).incident
    item = receive(cast.officer_a, cast.box_a)
    matter, _created = counter_services.record_matter(
        cast.officer_a,
        cast.box_a,
        received_at=RECEIVED,
        channel="walk_in",
        category=CounterCategory.objects.get(code="directions"),
        summary="道案内",
        outcome="resolved",
    )
    return {
        "/api/v1/incidents/": [located.pk, address_only.pk],
        "/api/v1/lost-found/items/": [item.pk],
        "/api/v1/counter-matters/": [matter.pk],
        "/api/v1/boxes/": [cast.box_a.pk, cast.box_c.pk],
        "/api/v1/stations/": [cast.north.pk],
        "/api/v1/beats/": [cast.beat_a.pk],
        "box": [cast.box_a.pk, cast.box_b.pk, cast.box_c.pk],
    }


# The live server sees only committed rows (a transactional test: tests/conftest.py puts the seeded
# categories and patterns back before it and empties the database after it).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["planner", "officer_a"])
def test_generated_requests_get_no_server_error_and_match_the_schema(live_server, cast, persona, tmp_path):  # type: ignore[no-untyped-def]
    secret = make_api_token(getattr(cast, persona), scope="write")
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "KOBAN_FUZZ_IDS": json.dumps(existing_rows(cast)),
    }
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {secret}",
        "--checks",
        CHECKS,
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(SECONDS_PER_PERSONA),
        "--workers",
        "1",
        "--no-shrink",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=SECONDS_PER_PERSONA * 4,
        check=False,
        env=environment,
        cwd=tmp_path,  # schemathesis keeps its cache in the working directory
    )
    print(run.stdout[-4000:])  # the summary (operations, cases, phases), shown with pytest -s
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
