"""The kinds of long work that can run as a ``JobRun``, registered by the apps that own the work.

Each app registers its kinds in its ``jobs.py`` (imported by Procrastinate's autodiscovery in web
servers, workers and commands alike)::

    @register("geography.import_boxes", _("Import police boxes"), commit_step=True)
    def import_boxes_run(context: RunContext) -> dict:
        ...
        return report_json

The function receives a ``RunContext`` and returns the report to keep (JSON, see
``koban.runs.reports``). ``commit_step`` says that a successful dry run can be committed: the run
page then offers to run the same kind again with ``parameters["commit"] = True``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.translation import gettext as _

from koban.runs.models import JobRun
from koban.runs.uploads import stored_path

# At most this often (seconds) is progress written to the run row; cancel requests are read as often.
PROGRESS_INTERVAL_S = 0.5

Progress = Callable[[str, int, int | None], None]


class RunCancelledError(Exception):
    """Raised inside a run when someone asked to cancel it; everything it wrote is rolled back."""


class RunFileMissingError(Exception):
    """The uploaded file of a run is gone (swept after a day, or never stored)."""


@dataclass
class RunContext:
    """What a running kind may use: its parameters, its file, the actor, progress and cancellation."""

    run: JobRun
    actor: Any
    echo: Progress | None = None
    partial_report: Callable[[], dict[str, Any]] | None = None
    base_depth: int = 0
    _last_write: float = field(default=0.0, repr=False)
    _aside: Any = field(default=None, repr=False)

    @property
    def parameters(self) -> dict[str, Any]:
        return self.run.parameters

    def file(self) -> Path:
        path = stored_path(self.run.file_path)
        if path is None:
            raise RunFileMissingError(_("The uploaded file is no longer available; upload it again."))
        return path

    def progress(self, stage: str, done: int, total: int | None) -> None:
        """A ``Progress`` callback: record the stage and count, and stop if a cancel was requested."""
        if self.echo:
            self.echo(stage, done, total)
        now = time.monotonic()
        if now - self._last_write < PROGRESS_INTERVAL_S and not (total and done >= total):
            return
        self._last_write = now
        if len(connection.atomic_blocks) <= self.base_depth:
            from koban.runs.services import record_progress

            cancelled = record_progress(self.run.pk, stage, done, total)
        else:
            cancelled = self._record_aside(stage, done, total)
        if cancelled:
            raise RunCancelledError

    def _record_aside(self, stage: str, done: int, total: int | None) -> bool:
        """Record progress from inside the run's own write transaction, on a connection of its own.

        Updates in that transaction would stay invisible until it ends (and vanish with a dry run's
        rollback), and the connection may be busy with a COPY. The row is skipped if locked, so the
        side connection never waits for the transaction it reports on.
        """
        if self._aside is None:
            self._aside = connections.create_connection(DEFAULT_DB_ALIAS)
        table = JobRun._meta.db_table
        with self._aside.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_message = %s, progress_done = %s, progress_total = %s "
                f"WHERE id = (SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED) "
                "RETURNING cancel_requested",
                [stage[:200], done, total, self.run.pk],
            )
            row = cursor.fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        if self._aside is not None:
            self._aside.close()
            self._aside = None


Runner = Callable[[RunContext], dict[str, Any]]


@dataclass(frozen=True)
class RunKind:
    name: str
    title: Any  # a lazy translation
    run: Runner
    commit_step: bool = False


_KINDS: dict[str, RunKind] = {}


def register(name: str, title: Any, *, commit_step: bool = False) -> Callable[[Runner], Runner]:
    def decorate(run: Runner) -> Runner:
        _KINDS[name] = RunKind(name, title, run, commit_step)
        return run

    return decorate


def kind(name: str) -> RunKind:
    if name not in _KINDS:
        _autodiscover()
    return _KINDS[name]


def is_registered(name: str) -> bool:
    """Whether a run kind of that name exists (apps may name kinds of apps above them)."""
    if name not in _KINDS:
        _autodiscover()
    return name in _KINDS


def _autodiscover() -> None:
    # Procrastinate imports every app's jobs.py when it starts; this covers processes where it has not.
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")
