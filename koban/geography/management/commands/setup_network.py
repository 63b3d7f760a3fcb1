"""``koban setup_network --agency CODE --name NAME [--station CODE=NAME ...] [--stations FILE] [--commit]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.geography.importers.core import ImportReport
from koban.geography.importers.network import parse_station_option, read_stations, setup_network
from koban.geography.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = _(
        "Create or update an agency and its police stations, from options or a CSV of stations "
        "(code, name, address, phone, lon, lat). Dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help=_("code of the agency"))
        parser.add_argument("--name", default="", help=_("name of the agency (needed to create it)"))
        parser.add_argument(
            "--station", action="append", default=[], help=_("a station as CODE=NAME (repeatable)")
        )
        parser.add_argument(
            "--stations", help=_("CSV file of stations: code, name, address, phone, lon, lat")
        )
        parser.add_argument("--encoding", help=_("text encoding of the CSV file (default: detected)"))
        parser.add_argument(
            "--commit",
            action="store_true",
            help=_("write to the database (default: dry run, nothing written)"),
        )
        parser.add_argument("--user", help=_("username recorded in the audit trail (an HQ planner)"))
        parser.add_argument("--max-issues", type=int, default=200, help=_("issues to print of each kind"))

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["stations"] or _("command line")
        report = ImportReport("network", str(source), commit=options["commit"], unit="line")
        stations = []
        for text in options["station"]:
            spec = parse_station_option(text)
            if spec is None:
                raise CommandError(_("--station: %(value)r is not CODE=NAME") % {"value": text})
            stations.append(spec)
        if options["stations"]:
            stations.extend(read_stations(options["stations"], report, options["encoding"]))
        setup_network(options["agency"], options["name"], stations, report=report, actor=self.actor(options))
        self.finish(report, options)
