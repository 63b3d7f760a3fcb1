"""``koban import_boxes FILE --agency CODE [--commit]``: police boxes from CSV, GeoJSON or OSM points."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from koban.geography.importers.boxes import COLUMN_ALIASES, import_boxes
from koban.geography.jobs import box_options
from koban.geography.management.commands._importing import ImportCommand, parse_bbox


class Command(ImportCommand):
    help = _(
        "Import police boxes from a CSV file (columns: %(columns)s; Japanese headers accepted) or a "
        "vector file of points. --osm reads OpenStreetMap police points and tells koban, chuzaisho and "
        "stations apart by their name. Dry run unless --commit."
    ) % {"columns": ", ".join(COLUMN_ALIASES)}

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--agency", required=True, help=_("code of the agency receiving the boxes"))
        parser.add_argument(
            "--create-stations",
            action="store_true",
            help=_("create stations that the file names but do not exist"),
        )
        parser.add_argument(
            "--osm",
            action="store_true",
            help=_("OpenStreetMap points with only a name (交番/駐在所/警察署/派出所)"),
        )
        parser.add_argument("--bbox", help=_("only rows inside min_lon,min_lat,max_lon,max_lat"))
        parser.add_argument(
            "--outside-confirmed",
            action="store_true",
            help=_("accept boxes outside the agency's jurisdiction (reported as warnings, not errors)"),
        )

        parser.add_argument(
            "--inside-only",
            action="store_true",
            help=_("keep only the points inside the agency's area; list the others (nationwide OSM files)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = {
            "agency": options["agency"],
            "mode": "osm" if options["osm"] else "table",
            "create_stations": options["create_stations"],
            "bbox": list(parse_bbox(options["bbox"])) if options["bbox"] else None,
            "encoding": options["encoding"],
            "srid": options["srid"],
            "layer": options["layer"],
            "outside_confirmed": options["outside_confirmed"],
            "inside_only": options["inside_only"],
        }
        if options["background"]:
            self.queue("geography.import_boxes", parameters, options, agency_code=options["agency"])
            return
        report = import_boxes(
            options["path"],
            box_options(parameters),
            commit=options["commit"],
            actor=self.actor(options),
            progress=self.progress,
        )
        self.finish(report, options)
