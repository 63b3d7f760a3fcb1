"""``koban incident_imports [--agency CODE] [--delete ID --commit]``: list imports, remove one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.incidents.management.commands.replace_incidents import command_actor
from koban.incidents.models import IncidentImport
from koban.incidents.placement import delete_import


class Command(BaseCommand):
    help = _(
        "List the imports of historical incidents (file, rows, duplicates, placed by area), or remove "
        "one import and its incidents (--delete ID, audited; dry run unless --commit)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help=_("only imports of this agency (code)"))
        parser.add_argument("--delete", type=int, metavar="ID", help=_("the import to remove"))
        parser.add_argument(
            "--commit", action="store_true", help=_("write to the database (default: dry run)")
        )
        parser.add_argument("--user", help=_("username recorded in the audit trail (an HQ planner)"))

    def handle(self, *args: Any, **options: Any) -> None:
        imports = IncidentImport.objects.select_related("agency").order_by("pk")
        if options["agency"]:
            imports = imports.filter(agency__code=options["agency"])
        if options["delete"] is not None:
            self._delete(imports, options)
            return
        for batch in imports:
            self.stdout.write(
                _(
                    "#%(id)s %(date)s %(agency)s %(file)s: %(imported)s imported, %(duplicate)s already "
                    "there, %(by_area)s placed by area, %(unknown)s with unknown date, %(rejected)s rejected"
                )
                % {
                    "id": batch.pk,
                    "date": f"{batch.imported_at:%Y-%m-%d %H:%M}",
                    "agency": batch.agency.code if batch.agency else "-",
                    "file": batch.file_name,
                    "imported": batch.rows_imported,
                    "duplicate": batch.rows_duplicate,
                    "by_area": batch.rows_placed_by_area,
                    "unknown": batch.rows_date_unknown,
                    "rejected": batch.rows_rejected,
                }
            )

    def _delete(self, imports: Any, options: dict[str, Any]) -> None:
        batch = imports.filter(pk=options["delete"]).first()
        if batch is None:
            raise CommandError(_("--delete: no import #%(id)s") % {"id": options["delete"]})
        actor = command_actor(options["user"], "incident_imports (command line)")
        if not options["commit"]:
            self.stdout.write(
                _("Dry run: import #%(id)s (%(file)s) and its %(n)s incidents would be removed.")
                % {"id": batch.pk, "file": batch.file_name, "n": batch.incidents.count()}
            )
            return
        try:
            count = delete_import(actor, batch)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Removed import #%(id)s and its %(n)s incidents.") % {"id": options["delete"], "n": count}
        )
