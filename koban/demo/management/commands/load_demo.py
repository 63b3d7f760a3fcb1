"""``koban load_demo``: load the fictional demo prefecture once, then just print its logins."""

from __future__ import annotations

import time
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from koban.organization.models import Agency

# Kept here (not imported from the generator) so that the fast path imports no numpy/scipy/shapely.
DEMO_AGENCY_CODE = "DEMO"


class Command(BaseCommand):
    help = (
        "Load the demo prefecture (a fictional city and its countryside with stations, koban, chuzaisho, "
        "beats and officers) and print the logins. Does nothing but print the logins if it is loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=None, help="Random seed (default 2026).")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo agency's data and generate it again."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from koban.demo.people import logins_path, print_logins, read_logins

        agency = Agency.objects.filter(code=DEMO_AGENCY_CODE).first()
        if agency is not None and not options["reset"]:
            if options["seed"] is not None:
                self.stdout.write(_("A seed only applies to a new demo; use --reset to generate it again."))
            self.stdout.write(self.style.SUCCESS(_("Demo already loaded.")))
            path = logins_path()
            logins = read_logins(path)
            if not logins:
                logins = self._new_passwords(agency, path)
            print_logins(cast(TextIO, self.stdout), logins, path)
            return
        self._generate(options["seed"], options["reset"])

    def _new_passwords(self, agency: Agency, path: Any) -> list[Any]:
        from koban.demo.people import reset_passwords, write_logins

        self.stdout.write(
            _("The logins file %(path)s is missing: giving the demo users new passwords.") % {"path": path}
        )
        with transaction.atomic():
            logins = reset_passwords(agency)
        write_logins(path, logins)
        return logins

    def _generate(self, seed: int | None, reset: bool) -> None:
        from koban.demo.generator import DEFAULT_SEED, generate
        from koban.demo.people import logins_path, print_logins

        started = time.monotonic()
        self.stdout.write(_("Loading the demo prefecture (fictional)…"))
        try:
            summary, logins = generate(
                DEFAULT_SEED if seed is None else seed, cast(TextIO, self.stdout), reset=reset
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(_("Demo loaded in %(seconds).1f s.") % {"seconds": time.monotonic() - started})
        )
        print_logins(cast(TextIO, self.stdout), logins, logins_path())
