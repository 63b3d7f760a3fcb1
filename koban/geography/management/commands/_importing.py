"""What the three import commands share: options, a progress bar on stderr, the report, the exit status.

Imports run inline by default (the command waits and prints the report); ``--background`` stores the
file in the shared upload folder and queues the same import as a run for a worker
(``koban procrastinate worker``), printing the run's number and page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.accounts.access import can_manage_network
from koban.accounts.models import User
from koban.geography.importers.core import ImportReport
from koban.runs.progressbar import ProgressBar
from koban.runs.services import start_run


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse "min_lon,min_lat,max_lon,max_lat"."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise CommandError(_("--bbox needs four numbers: min_lon,min_lat,max_lon,max_lat")) from exc
    if len(values) != 4 or values[0] >= values[2] or values[1] >= values[3]:
        raise CommandError(_("--bbox needs four numbers: min_lon,min_lat,max_lon,max_lat"))
    return values[0], values[1], values[2], values[3]


class ImportCommand(BaseCommand):
    """Base of import_boxes, import_areas and import_beats: dry run unless --commit."""

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("file to import"))
        parser.add_argument(
            "--commit",
            action="store_true",
            help=_("write to the database (default: dry run, nothing written)"),
        )
        parser.add_argument("--encoding", help=_("text encoding of the attributes (default: detected)"))
        parser.add_argument(
            "--srid",
            type=int,
            help=_(
                "EPSG code of the file's coordinates; overrides the file's own (default: the file's, else WGS84)"
            ),
        )
        parser.add_argument("--layer", help=_("layer to read from a file with several (GeoPackage)"))
        parser.add_argument("--user", help=_("username recorded in the audit trail (an HQ planner)"))
        parser.add_argument("--max-issues", type=int, default=200, help=_("issues to print of each kind"))
        parser.add_argument(
            "--background",
            action="store_true",
            help=_("queue the import as a background run for a worker instead of waiting for it"),
        )

    def actor(self, options: dict[str, Any]) -> Any:
        username = options.get("user")
        if not username:
            return f"{self.command_name()} (command line)"
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("unknown user %(name)s") % {"name": username})
        if not can_manage_network(user):
            raise CommandError(_("user %(name)s may not change the box network") % {"name": username})
        return user

    def command_name(self) -> str:
        return self.__class__.__module__.rsplit(".", 1)[-1]

    def progress(self, stage: str, done: int, total: int | None) -> None:
        if not hasattr(self, "_bar"):
            self._bar = ProgressBar(self.stderr._out)  # type: ignore[attr-defined,arg-type]
        self._bar(stage, done, total)

    def end_progress(self) -> None:
        if hasattr(self, "_bar"):
            self._bar.close()

    def queue(
        self, kind: str, parameters: dict[str, Any], options: dict[str, Any], agency_code: str = ""
    ) -> None:
        """Queue the import as a background run (``--background``) and say where to follow it."""
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("no such file: %(path)s") % {"path": path})
        with path.open("rb") as handle:
            run = start_run(
                kind,
                actor=self.actor(options),
                parameters={**parameters, "commit": bool(options["commit"])},
                agency_code=agency_code,
                upload=File(handle, name=path.name),
            )
        self.stdout.write(
            _("Queued background run %(id)s; follow it at /runs/%(id)s/ (a worker must be running).")
            % {"id": run.pk}
        )

    def finish(self, report: ImportReport, options: dict[str, Any]) -> None:
        """Print issues (line/feature numbers first), notes and the summary; fail on errors."""
        self.end_progress()
        limit = options["max_issues"]
        for title, issues in ((_("Errors"), report.errors), (_("Warnings"), report.warnings)):
            if not issues:
                continue
            self.stdout.write(f"{title} ({len(issues)}):")
            for issue in issues[:limit]:
                self.stdout.write(f"  {issue.describe()}")
            if len(issues) > limit:
                self.stdout.write(_("  … and %(n)s more") % {"n": len(issues) - limit})
        for note in report.notes:
            self.stdout.write(note)
        style = self.style.ERROR if report.errors else self.style.SUCCESS
        self.stdout.write(style(report.summary()))
        if report.errors:
            raise CommandError(
                _("%(n)s error(s); nothing was written") % {"n": len(report.errors)}, returncode=1
            )
