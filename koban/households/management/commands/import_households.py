"""``koban import_households FILE --agency CODE [--commit]``: an address list (CSV or GeoJSON) into the
household registry, placed in the agency's active beats."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from koban.geography.management.commands._importing import ImportCommand
from koban.households.importer import COLUMN_ALIASES, HouseholdImportOptions, import_households


class Command(ImportCommand):
    help = _(
        "Import households and businesses from a CSV file (columns: %(columns)s; Japanese headers "
        "accepted) or a GeoJSON file of points. Addresses in no beat are imported unplaced; duplicates "
        "are reported, not imported. Dry run unless --commit."
    ) % {"columns": ", ".join(COLUMN_ALIASES)}

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--agency", required=True, help=_("code of the agency whose registry receives the addresses")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = {"agency": options["agency"], "encoding": options["encoding"]}
        if options["background"]:
            self.queue("households.import", parameters, options, agency_code=options["agency"])
            return
        report = import_households(
            options["path"],
            HouseholdImportOptions(agency_code=options["agency"], encoding=options["encoding"]),
            commit=options["commit"],
            actor=self.actor(options),
            progress=self.progress,
        )
        self.finish(report, options)
