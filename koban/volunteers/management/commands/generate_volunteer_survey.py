"""Create synthetic volunteer groups at national scale for benchmarks (dry run unless ``--commit``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from koban.audit.services import record_bulk
from koban.organization.models import PoliceStation
from koban.volunteers import generator
from koban.volunteers.models import VolunteerMember


class Command(BaseCommand):
    help = (
        "Create synthetic volunteer groups and members (default: the national scale, 46,000 groups and "
        "2,500,000 members) spread over the stations of an agency or of all agencies, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--groups", type=int, default=46_000)
        parser.add_argument("--members", type=int, default=2_500_000)
        parser.add_argument("--agency", help="Agency code (default: every agency's stations).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--commit", action="store_true", help="Write the rows (otherwise only say what would be made)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        groups, members = options["groups"], options["members"]
        if groups < 1 or members < 3 * groups:
            raise CommandError("--groups must be positive and --members at least three per group")
        stations = PoliceStation.objects.select_related("agency").order_by("agency__code", "code")
        if options.get("agency"):
            stations = stations.filter(agency__code=options["agency"])
        chosen = list(stations)
        if not chosen:
            raise CommandError(
                "No police stations to register the groups at (load the demo or import a network)."
            )
        self.stdout.write(f"{groups:,} groups with {members:,} members over {len(chosen)} stations")
        if not options["commit"]:
            self.stdout.write("Dry run: nothing written (add --commit).")
            return
        started = time.perf_counter()
        with transaction.atomic():
            made = generator.generate(
                chosen,
                groups=groups,
                members=members,
                today=timezone.localdate(),
                seed=options["seed"],
                progress=lambda message: self.stdout.write(f"  {message}"),
            )
            record_bulk(
                "generate_volunteer_survey",
                "volunteers.generate",
                VolunteerMember,
                count=made.members,
                after={"groups": made.groups, "seed": options["seed"]},
            )
        seconds = time.perf_counter() - started
        self.stdout.write(f"Done in {seconds:.1f} s ({made.members / seconds:,.0f} members per second).")
