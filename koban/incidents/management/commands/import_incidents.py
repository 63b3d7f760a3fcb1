"""``koban import_incidents FILE --format hokkaido|chiba|generic [--commit] [--skip-bad-rows] [--background]``.

A dry run by default: the file is read, checked and placed in beats inside a transaction that is
rolled back, and the report says what a real run would do. With ``--commit`` nothing is written if
any row is bad (each bad row is printed with its line number and reason); add ``--skip-bad-rows`` to
write the good rows and report the rest. The exit status is 1 when rows were refused and nothing
was written. A progress bar goes to stderr; ``--background`` queues the import as a run for a
worker instead (see ``koban/incidents/jobs.py``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.accounts.access import agencies_importable_by, is_hq
from koban.accounts.models import User
from koban.incidents.importers.formats import FORMATS, ImportFormatError
from koban.incidents.importers.loader import import_incidents_file
from koban.organization.models import Agency
from koban.runs.progressbar import ProgressBar
from koban.runs.services import start_run


class Command(BaseCommand):
    help = _("Import historical incidents from a CSV file (police open data or the generic layout).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("CSV file to import"))
        parser.add_argument("--format", dest="file_format", choices=FORMATS, required=True)
        parser.add_argument(
            "--commit", action="store_true", help=_("write to the database (default: dry run)")
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help=_("write the valid rows even when some rows are bad (they are reported)"),
        )
        parser.add_argument(
            "--bulk-load",
            action="store_true",
            help=_(
                "drop the incident table's indexes and foreign keys for the load and restore them after"
                " (faster for files large next to the table; other writers wait meanwhile)"
            ),
        )
        parser.add_argument("--agency", help=_("code of the agency the incidents belong to"))
        parser.add_argument("--encoding", help=_("text encoding (default: detected, UTF-8 or Shift_JIS)"))
        parser.add_argument("--user", help=_("username recorded in the audit trail (HQ)"))
        parser.add_argument("--max-issues", type=int, default=200, help=_("bad rows to print"))
        parser.add_argument("--json", action="store_true", help=_("print the summary as JSON"))
        parser.add_argument(
            "--background",
            action="store_true",
            help=_("queue the import as a background run for a worker instead of waiting for it"),
        )
        parser.add_argument(
            "--municipality",
            action="append",
            default=[],
            help=_("only rows of this municipality code (e.g. 12217; repeatable)"),
        )
        parser.add_argument(
            "--outside-confirmed",
            action="store_true",
            help=_("import rows outside the agency's jurisdiction (flagged outside every beat)"),
        )

    def _agency(self, code: str | None, actor: Any) -> Agency:
        if code:
            # An HQ user imports for their own agency only; another agency's code reads as unknown.
            agency = agencies_importable_by(actor).filter(code=code).first()
            if agency is None:
                raise CommandError(_("unknown agency %(code)s") % {"code": code})
            return agency
        agencies = list(Agency.objects.filter(level=Agency.Level.PREFECTURAL)[:2])
        if len(agencies) != 1:
            raise CommandError(_("say which agency with --agency CODE"))
        return agencies[0]

    def _actor(self, username: str | None) -> Any:
        if not username:
            return "import_incidents (command line)"
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("unknown user %(name)s") % {"name": username})
        if not is_hq(user):
            raise CommandError(_("user %(name)s may not import incidents") % {"name": username})
        return user

    def _queue(self, path: Path, options: dict[str, Any]) -> None:
        """``--background``: store the file for a worker and queue the import as a run."""
        actor = self._actor(options.get("user"))
        agency = self._agency(options.get("agency"), actor)
        with path.open("rb") as handle:
            run = start_run(
                "incidents.import",
                actor=actor,
                parameters={
                    "file_format": options["file_format"],
                    "agency": agency.code,
                    "skip_bad_rows": options["skip_bad_rows"],
                    "encoding": options.get("encoding") or "",
                    "commit": options["commit"],
                    "outside_confirmed": options["outside_confirmed"],
                },
                agency_code=agency.code,
                upload=File(handle, name=path.name),
            )
        self.stdout.write(
            _("Queued background run %(id)s; follow it at /runs/%(id)s/ (a worker must be running).")
            % {"id": run.pk}
        )

    def _notices(self, report: Any, limit: int) -> None:
        """Duplicates, unknown dates, placement by area and unmatched town names, in that order."""
        if report.rows_duplicate:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Warning: %(n)s rows were already imported (imports %(imports)s or earlier in this "
                        "file) and are not stored again; first lines: %(lines)s"
                    )
                    % {
                        "n": report.rows_duplicate,
                        "imports": ", ".join(f"#{i}" for i in report.duplicate_of_imports) or "-",
                        "lines": ", ".join(str(n) for n in report.duplicate_lines[:10]),
                    }
                )
            )
        if report.date_unknown_lines:
            self.stdout.write(
                _("%(n)s rows have an unknown date (不明) and are left out; lines: %(lines)s")
                % {
                    "n": len(report.date_unknown_lines),
                    "lines": ", ".join(str(n) for n in report.date_unknown_lines[:limit]),
                }
            )
        if report.rows_placed_by_area:
            self.stdout.write(
                _("%(n)s rows without coordinates placed at their town area (町丁目).")
                % {"n": report.rows_placed_by_area}
            )
        if report.rows_filtered:
            self.stdout.write(_("%(n)s rows of other municipalities left out.") % {"n": report.rows_filtered})
        unmatched = sorted(report.unmatched_areas.items(), key=lambda item: -item[1][0])
        if unmatched:
            self.stdout.write(
                _("%(n)s town names matched no town area (rows kept without a place):")
                % {"n": len(unmatched)}
            )
            for name, (rows, closest) in unmatched[:limit]:
                self.stdout.write(
                    _("  %(name)s: %(rows)s rows; closest: %(closest)s")
                    % {"name": name, "rows": rows, "closest": ", ".join(closest) or "-"}
                )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("no such file: %(path)s") % {"path": path})
        if options["background"]:
            self._queue(path, options)
            return
        bar = ProgressBar(self.stderr._out)  # type: ignore[attr-defined,arg-type]
        actor = self._actor(options.get("user"))
        try:
            report = import_incidents_file(
                path,
                options["file_format"],
                agency=self._agency(options.get("agency"), actor),
                actor=actor,
                commit=options["commit"],
                skip_bad_rows=options["skip_bad_rows"],
                bulk_load=options["bulk_load"],
                encoding=options.get("encoding"),
                outside_confirmed=options["outside_confirmed"],
                municipalities=options["municipality"] or None,
                progress=bar,
            )
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        limit = options["max_issues"]
        if report.unused_columns:
            self.stdout.write(
                self.style.WARNING(
                    _("Warning: columns not used by this format, ignored: %(names)s")
                    % {"names": ", ".join(report.unused_columns)}
                )
            )
        if report.bad_rows:
            self.stdout.write(_("Bad rows (%(n)s):") % {"n": len(report.bad_rows)})
            for bad in report.bad_rows[:limit]:
                self.stdout.write(f"  {bad.describe()}")
            if len(report.bad_rows) > limit:
                self.stdout.write(_("  … and %(n)s more") % {"n": len(report.bad_rows) - limit})
            reasons = Counter(bad.field for bad in report.bad_rows)
            self.stdout.write(
                _("Bad rows by column: %(counts)s")
                % {"counts": ", ".join(f"{k} {v}" for k, v in reasons.most_common())}
            )
        self._notices(report, limit)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                _(
                    "%(read)s rows read, %(bad)s bad, %(ok)s valid; %(outside)s outside every beat,"
                    " %(nolocation)s without a location; %(rate).0f rows/s."
                )
                % {
                    "read": report.rows_read,
                    "bad": len(report.bad_rows),
                    "ok": report.rows_valid,
                    "outside": report.rows_outside,
                    "nolocation": report.rows_without_location,
                    "rate": report.rows_read / report.seconds if report.seconds else 0,
                }
            )
        if report.committed:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Imported %(n)s incidents (import #%(id)s).")
                    % {"n": report.rows_imported, "id": report.batch_id}
                )
            )
        elif options["commit"]:
            raise CommandError(
                _("Nothing written: fix the bad rows or use --skip-bad-rows to import the valid ones.")
            )
        else:
            self.stdout.write(_("Dry run: nothing written. Add --commit to import."))
