"""``koban import_areas FILE (--preset NAME | --level L --code-field F --name-field F) [--commit]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.geography.importers.areas import PRESETS, AreaImportOptions, import_areas, preset_options
from koban.geography.management.commands._importing import ImportCommand
from koban.geography.models import AdminArea


class Command(ImportCommand):
    help = _(
        "Import administrative or statistical areas from GeoJSON, a Shapefile (.shp or .zip) or a "
        "GeoPackage, in any CRS. Field specs may join fields with '+' (PREF+CITY+S_AREA). "
        "Presets: %(presets)s. Dry run unless --commit."
    ) % {"presets": ", ".join(PRESETS)}

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--preset", choices=sorted(PRESETS), help=_("field layout of a known data set"))
        parser.add_argument("--level", choices=AdminArea.Level.values, help=_("level of the areas"))
        parser.add_argument("--code-field", help=_("field spec of the area code"))
        parser.add_argument("--name-field", help=_("field spec of the area name"))
        parser.add_argument("--population-field", help=_("field of the population"))
        parser.add_argument("--households-field", help=_("field of the number of households"))
        parser.add_argument("--parent-field", help=_("field spec of the parent area's code (one level up)"))
        parser.add_argument(
            "--dissolve", action="store_true", help=_("merge features sharing a code (population added)")
        )
        parser.add_argument(
            "--no-dissolve", action="store_true", help=_("keep each feature; a repeated code is an error")
        )
        parser.add_argument("--source", help=_("source label stored with each area"))

    def handle(self, *args: Any, **options: Any) -> None:
        report = import_areas(
            options["path"],
            self.area_options(options),
            commit=options["commit"],
            actor=self.actor(options),
            progress=self.progress,
        )
        self.finish(report, options)

    def area_options(self, options: dict[str, Any]) -> AreaImportOptions:
        overrides = {
            "level": options["level"],
            "code_field": options["code_field"],
            "name_field": options["name_field"],
            "population_field": options["population_field"],
            "households_field": options["households_field"],
            "parent_field": options["parent_field"],
            "source": options["source"],
            "encoding": options["encoding"],
            "srid": options["srid"],
            "layer": options["layer"],
        }
        if options["preset"]:
            area_options = preset_options(options["preset"], **overrides)
            if options["code_field"]:
                area_options.code_getter = None
            if options["name_field"]:
                area_options.name_getter = None
            if options["parent_field"]:
                area_options.parent_getter = None
        else:
            missing = [
                f"--{k.replace('_', '-')}" for k in ("level", "code_field", "name_field") if not overrides[k]
            ]
            if missing:
                raise CommandError(_("give --preset or %(options)s") % {"options": ", ".join(missing)})
            area_options = AreaImportOptions(**{k: v for k, v in overrides.items() if v is not None})
        if options["dissolve"]:
            area_options.dissolve = True
        if options["no_dissolve"]:
            area_options.dissolve = False
        return area_options
