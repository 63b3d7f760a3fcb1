"""Generate the draft newsletter of a month for every box (the same service the monthly job calls)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from koban.accounts.access import public_boxes
from koban.newsletters.models import Newsletter
from koban.newsletters.services import check_month, generate_for_boxes


class Command(BaseCommand):
    help = (
        "Generate (or refresh) the draft newsletter of --month for every box with a public page; published "
        "issues are left alone. A dry run that lists the boxes unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="The month, YYYY-MM.")
        parser.add_argument("--box", action="append", default=[], help="Only this box code (repeatable).")
        parser.add_argument("--commit", action="store_true", help="Write the drafts (default: dry run).")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["month"]
        try:
            month = dt.date.fromisoformat(f"{raw}-01")
        except ValueError as exc:
            raise CommandError(f"--month {raw!r} is not a month in the form YYYY-MM") from exc
        try:
            check_month(month, timezone.localdate())
        except ValidationError as exc:
            raise CommandError(f"--month {raw}: {' '.join(exc.messages)}") from exc
        boxes = public_boxes().order_by("station__code", "code")
        if options["box"]:
            boxes = boxes.filter(code__in=options["box"])
            missing = set(options["box"]) - set(boxes.values_list("code", flat=True))
            if missing:
                raise CommandError(f"--box: no box with the code {', '.join(sorted(missing))}")
        published = set(
            Newsletter.objects.published().filter(month=month, box__in=boxes).values_list("box_id", flat=True)
        )
        for box in boxes:
            state = "published, left alone" if box.pk in published else "draft"
            self.stdout.write(f"  {box.code} {box.name}: {state}")
        if not options["commit"]:
            self.stdout.write(f"{month:%Y-%m}: dry run, {boxes.count()} box(es); add --commit to write")
            return
        with transaction.atomic():
            counts = generate_for_boxes(month, list(boxes))
        self.stdout.write(
            f"{month:%Y-%m}: {counts['generated']} draft(s) generated, {counts['published']} published left alone"
        )
