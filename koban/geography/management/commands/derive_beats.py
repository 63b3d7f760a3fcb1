"""``koban derive_beats``: build beats from box locations and address areas, as a draft version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from koban.accounts.access import can_manage_network
from koban.accounts.models import User
from koban.geography.derive import DERIVABLE_LEVELS, derive_beats
from koban.geography.derive_labels import disagreements_geojson
from koban.geography.importers.readers import ReadError
from koban.geography.jobs import start_derive_beats
from koban.geography.labels import tally_labels
from koban.geography.services import activate_version
from koban.organization.models import Agency, PoliceStation


class Command(BaseCommand):
    help = (
        "Derive beats: each town (or block) area goes to the nearest operating box of its station, "
        "dissolved per box and clipped to the station area. Saved as a new draft beat version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Code of the agency.")
        parser.add_argument(
            "--level",
            default="town",
            choices=[str(level) for level in DERIVABLE_LEVELS],
            help="Areas to build beats from (default: town).",
        )
        parser.add_argument(
            "--station",
            help="Derive only this station's beats (by code); copy the others from the active version.",
        )
        parser.add_argument("--name", help="Name of the new beat version.")
        parser.add_argument(
            "--from-labels",
            metavar="FILE",
            help="Police open data (NPA layout) naming each row's box and town: each town goes to the "
            "box named most for it; boxes known only from the labels are opened (location to confirm).",
        )
        parser.add_argument(
            "--disagreements",
            metavar="GEOJSON",
            help="With --from-labels: write the towns where some labels name another box than the "
            "town's beat, as GeoJSON for a map.",
        )
        parser.add_argument(
            "--activate",
            action="store_true",
            help="Activate the new version at once, if its check passes (see --override-reason).",
        )
        parser.add_argument(
            "--override-reason",
            default="",
            help="With --activate: activate even if the check fails, recording this reason in the audit trail.",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the derivation as a background run for a worker instead of waiting for it.",
        )
        parser.add_argument(
            "--user",
            help="Username of the HQ planner or administrator the change is recorded for "
            "(default: the first active superuser).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(_("--agency: no agency with code %(code)r") % {"code": options["agency"]})
        station = None
        if options["station"]:
            station = PoliceStation.objects.filter(agency=agency, code=options["station"]).first()
            if station is None:
                raise CommandError(
                    _("--station: agency %(agency)s has no station %(code)r")
                    % {"agency": agency.code, "code": options["station"]}
                )
        actor = self._actor(options["user"])
        labels = None
        if options["from_labels"]:
            if options["background"]:
                raise CommandError(_("--from-labels cannot be combined with --background"))
            try:
                labels = tally_labels(options["from_labels"], agency)
            except ReadError as exc:
                raise CommandError(f"--from-labels: {exc}") from exc
        if options["background"]:
            if options["activate"]:
                raise CommandError(
                    _("--activate cannot be combined with --background: activate after the check")
                )
            run = start_derive_beats(
                actor, agency, level=options["level"], station=station, name=options["name"] or ""
            )
            self.stdout.write(
                _("Queued background run %(id)s; follow it at /runs/%(id)s/ (a worker must be running).")
                % {"id": run.pk}
            )
            return

        def progress(message: str) -> None:
            self.stdout.write(f"  {message}")

        try:
            with transaction.atomic():
                version, report = derive_beats(
                    actor,
                    agency,
                    area_level=options["level"],
                    station=station,
                    name=options["name"],
                    progress=progress,
                    labels=labels,
                )
                if options["activate"]:
                    activate_version(actor, version, override_reason=options["override_reason"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if options["disagreements"] and report.jurisdictions is not None:
            collection = disagreements_geojson(report.jurisdictions)
            Path(options["disagreements"]).write_text(
                json.dumps(collection, ensure_ascii=False), encoding="utf-8"
            )
            self.stdout.write(
                _("%(n)d towns where beats and labels disagree written to %(path)s")
                % {"n": len(collection["features"]), "path": options["disagreements"]}
            )
        if options["activate"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Activated beat version %(pk)d: %(name)s") % {"pk": version.pk, "name": version.name}
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Saved draft beat version %(pk)d: %(name)s (not active)")
                    % {"pk": version.pk, "name": version.name}
                )
            )

    def _actor(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("--user: no active user %(name)r") % {"name": username})
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError(_("--user: no active superuser; name an HQ planner with --user"))
        if not can_manage_network(user):
            raise CommandError(_("--user: %(name)s may not change the box network") % {"name": user.username})
        return user
