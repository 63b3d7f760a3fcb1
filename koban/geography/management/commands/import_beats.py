"""``koban import_beats FILE --agency CODE [--box-field F] [--commit]``: beats into a new draft version."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from koban.geography.importers.beats import import_beats
from koban.geography.jobs import beat_options
from koban.geography.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = _(
        "Import beats (one polygon per beat, with the code of its box) from GeoJSON, a Shapefile or a "
        "GeoPackage into a new draft beat version, then report overlaps and gaps. Dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--agency", required=True, help=_("code of the agency the beats belong to"))
        parser.add_argument("--version-name", default="", help=_("name of the new beat version"))
        parser.add_argument("--code-field", default="code", help=_("field of the beat code"))
        parser.add_argument("--name-field", default="name", help=_("field of the beat name ('' for none)"))
        parser.add_argument("--box-field", default="box_code", help=_("field of the box code"))
        parser.add_argument("--station-field", help=_("field of the station code, when box codes repeat"))
        parser.add_argument("--population-field", help=_("field of the population"))
        parser.add_argument("--households-field", help=_("field of the number of households"))
        parser.add_argument("--note", default="", help=_("note stored with the version"))

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = {
            "agency": options["agency"],
            "version_name": options["version_name"],
            "code_field": options["code_field"],
            "name_field": options["name_field"],
            "box_field": options["box_field"],
            "station_field": options["station_field"],
            "population_field": options["population_field"],
            "households_field": options["households_field"],
            "note": options["note"],
            "encoding": options["encoding"],
            "srid": options["srid"],
            "layer": options["layer"],
        }
        if options["background"]:
            self.queue("geography.import_beats", parameters, options, agency_code=options["agency"])
            return
        report = import_beats(
            options["path"],
            beat_options(parameters),
            commit=options["commit"],
            actor=self.actor(options),
            progress=self.progress,
        )
        if report.committed and "version_id" in report.extra:
            report.notes.append(_("New draft beat version id %(id)s.") % {"id": report.extra["version_id"]})
        self.finish(report, options)
