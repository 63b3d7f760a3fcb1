"""``koban station_area --agency A --station S (--file F [--where FIELD=VALUE] | --municipality CODE | --towns CODE) [--commit]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.geography.importers.core import ImportReport
from koban.geography.importers.network import AreaSource, set_station_area
from koban.geography.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = _(
        "Give a police station its jurisdiction area: the polygons of a boundary file, municipalities "
        "(N03 codes) or town areas already imported (a code ending in * takes every town it starts). "
        "Dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help=_("code of the agency"))
        parser.add_argument("--station", required=True, help=_("code of the station"))
        parser.add_argument("--file", help=_("boundary file (GeoJSON, Shapefile, GeoPackage)"))
        parser.add_argument("--where", help=_("with --file: only features whose FIELD equals VALUE"))
        parser.add_argument(
            "--municipality", action="append", default=[], help=_("municipality code (repeatable)")
        )
        parser.add_argument(
            "--towns", action="append", default=[], help=_("town area code or prefix* (repeatable)")
        )
        parser.add_argument("--srid", type=int, help=_("EPSG code of the file's coordinates"))
        parser.add_argument("--encoding", help=_("text encoding of the attributes (default: detected)"))
        parser.add_argument(
            "--commit",
            action="store_true",
            help=_("write to the database (default: dry run, nothing written)"),
        )
        parser.add_argument("--user", help=_("username recorded in the audit trail (an HQ planner)"))
        parser.add_argument("--max-issues", type=int, default=200, help=_("issues to print of each kind"))

    def handle(self, *args: Any, **options: Any) -> None:
        where = None
        if options["where"]:
            name, sep, value = options["where"].partition("=")
            if not sep or not name.strip():
                raise CommandError(_("--where: %(value)r is not FIELD=VALUE") % {"value": options["where"]})
            where = (name.strip(), value.strip())
        source = AreaSource(
            path=Path(options["file"]) if options["file"] else None,
            where=where,
            municipalities=options["municipality"],
            towns=options["towns"],
            srid=options["srid"],
            encoding=options["encoding"],
        )
        label = options["file"] or ", ".join(options["municipality"] + options["towns"])
        report = ImportReport("station area", label, commit=options["commit"])
        set_station_area(
            options["agency"], options["station"], source, report=report, actor=self.actor(options)
        )
        self.finish(report, options)
