"""Schemathesis over the whole OpenAPI schema, as an HQ planner and as a box officer.

A server started by the test (pytest-django's live server) answers requests generated from the schema,
valid and invalid; every answer must be free of server errors, match the documented response schema and
carry a documented status code. The run is bounded (fixed seed, a few examples per operation and a time
budget), so it finds the same things on every run and keeps CI within minutes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_api_token

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
SEED = 20261201
MAX_EXAMPLES = 8
SECONDS_PER_PERSONA = 75


# The live server sees only committed rows; serialized_rollback restores the categories and patterns
# the migrations seed once the test has flushed the database, for the tests that run after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("persona", ["planner", "officer_a"])
def test_generated_requests_get_no_server_error_and_match_the_schema(live_server, cast, persona, tmp_path):  # type: ignore[no-untyped-def]
    secret = make_api_token(getattr(cast, persona), scope="write")
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
        command, capture_output=True, text=True, timeout=SECONDS_PER_PERSONA * 4, check=False
    )
    print(run.stdout[-4000:])  # the summary (operations, cases, phases), shown with pytest -s
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
