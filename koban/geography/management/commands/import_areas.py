"""``koban import_areas FILE (--preset NAME | --level L --code-field F --name-field F) [--commit]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.geography.importers.areas import PRESETS, import_areas
from koban.geography.jobs import area_options
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
        parameters = self.parameters(options)
        if options["background"]:
            self.queue("geography.import_areas", parameters, options)
            return
        report = import_areas(
            options["path"],
            area_options(parameters),
            commit=options["commit"],
            actor=self.actor(options),
            progress=self.progress,
        )
        self.finish(report, options)

    def parameters(self, options: dict[str, Any]) -> dict[str, Any]:
        """The options as a background run keeps them (the admin form's names)."""
        names = ("level", "code_field", "name_field", "population_field", "households_field", "parent_field")
        if not options["preset"]:
            missing = [f"--{k.replace('_', '-')}" for k in names[:3] if not options[k]]
            if missing:
                raise CommandError(_("give --preset or %(options)s") % {"options": ", ".join(missing)})
        return {
            "preset": options["preset"] or "",
            **{name: options[name] for name in names},
            "dissolve": options["dissolve"],
            "no_dissolve": options["no_dissolve"],
            "source": options["source"],
            "encoding": options["encoding"],
            "srid": options["srid"],
            "layer": options["layer"],
        }
