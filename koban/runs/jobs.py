"""The one Procrastinate task of background runs: execute a recorded ``JobRun`` of a registered kind."""

from __future__ import annotations

from django.db import connection
from procrastinate.contrib.django import app

from koban.runs.services import execute


@app.task(queue="runs", name="koban.runs.run_job")
def run_job(run_id: int) -> None:
    """Run the recorded run *run_id*; its status, progress and report are kept on the run row."""
    try:
        execute(run_id)
    finally:
        # The worker runs each job in a thread of its own; keep no idle connection behind.
        connection.close()
