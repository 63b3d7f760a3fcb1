"""``koban incident_counts --agency CODE --by box [--from D] [--to D] [--json | --csv] [--min-agreement P]``."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from koban.incidents.counts import DIMENSIONS, Counts, count_incidents
from koban.incidents.models import Incident
from koban.organization.models import Agency


class Command(BaseCommand):
    help = _(
        "Count an agency's incidents by box, beat, station, area, category or source label; by box, "
        "say how many agree with the box the source names (the police's 管轄交番)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help=_("code of the agency"))
        parser.add_argument("--by", default="box", choices=list(DIMENSIONS), help=_("what to count by"))
        parser.add_argument("--from", dest="start", help=_("first day (YYYY-MM-DD)"))
        parser.add_argument("--to", dest="end", help=_("last day (YYYY-MM-DD)"))
        parser.add_argument("--category", help=_("only this category code"))
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help=_("print JSON"))
        output.add_argument("--csv", action="store_true", help=_("print CSV"))
        parser.add_argument(
            "--min-agreement",
            type=float,
            help=_("fail (exit status 1) when the agreement with the labels is below this percentage"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(_("--agency: no agency with code %(code)r") % {"code": options["agency"]})
        incidents = Incident.objects.filter(agency=agency)
        for name, lookup in (("start", "received_at__date__gte"), ("end", "received_at__date__lte")):
            if options[name]:
                day = parse_date(options[name])
                if day is None:
                    raise CommandError(
                        _("--%(option)s: %(value)r is not a date (YYYY-MM-DD)")
                        % {"option": "from" if name == "start" else "to", "value": options[name]}
                    )
                incidents = incidents.filter(**{lookup: day})
        if options["category"]:
            incidents = incidents.filter(category__code=options["category"])
        counts = count_incidents(incidents, options["by"])
        if options["json"]:
            self.stdout.write(json.dumps(counts.as_dict(), ensure_ascii=False, default=str))
        elif options["csv"]:
            self._csv(counts)
        else:
            self._table(counts)
        self._check(counts, options["min_agreement"])

    def _table(self, counts: Counts) -> None:
        labelled = counts.labelled > 0
        for row in counts.rows:
            line = f"{row.name}\t{row.incidents}"
            if labelled and counts.by == "box":
                share = "-" if row.agreement is None else f"{100 * row.agreement:.1f} %"
                line += "\t" + _("named %(named)d, agreeing %(agreeing)d (%(share)s)") % {
                    "named": row.named,
                    "agreeing": row.agreeing,
                    "share": share,
                }
            self.stdout.write(line)
        self.stdout.write(_("Total: %(n)d incidents") % {"n": counts.total})
        if counts.agreement is not None:
            self.stdout.write(
                _("Agreement with the source's labels: %(agreeing)d of %(labelled)d (%(share).1f %%)")
                % {
                    "agreeing": counts.agreeing,
                    "labelled": counts.labelled,
                    "share": 100 * counts.agreement,
                }
            )

    def _csv(self, counts: Counts) -> None:
        writer = csv.writer(self.stdout)
        writer.writerow(["key", "name", "incidents", "labelled", "agreeing", "named", "agreement"])
        for row in counts.rows:
            writer.writerow(
                [row.key, row.name, row.incidents, row.labelled, row.agreeing, row.named, row.agreement or ""]
            )

    def _check(self, counts: Counts, minimum: float | None) -> None:
        if minimum is None:
            return
        if counts.agreement is None:
            raise CommandError(_("--min-agreement: no incident carries a source label"), returncode=1)
        if 100 * counts.agreement < minimum:
            raise CommandError(
                _("Agreement %(share).1f %% is below %(minimum).1f %%")
                % {"share": 100 * counts.agreement, "minimum": minimum},
                returncode=1,
            )
