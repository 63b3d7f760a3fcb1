"""``koban replace_incidents --agency CODE [--commit] [--json]``: incidents onto the active beats again."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.accounts.access import can_manage_network
from koban.accounts.models import User
from koban.incidents.placement import replace_incidents
from koban.organization.models import Agency


def command_actor(username: str | None, default: str) -> Any:
    """The user a command acts for (an HQ planner), or the command's own name."""
    if not username:
        return default
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("unknown user %(name)s") % {"name": username})
    if not can_manage_network(user):
        raise CommandError(_("user %(name)s may not change the box network") % {"name": username})
    return user


class Command(BaseCommand):
    help = _(
        "Place every located incident of an agency again on its active beats (box and station follow), "
        "with counts per box before and after. Dry run unless --commit."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help=_("code of the agency"))
        parser.add_argument(
            "--commit", action="store_true", help=_("write to the database (default: dry run)")
        )
        parser.add_argument("--user", help=_("username recorded in the audit trail (an HQ planner)"))
        parser.add_argument("--json", action="store_true", help=_("print JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(_("--agency: no agency with code %(code)r") % {"code": options["agency"]})
        actor = command_actor(options["user"], "replace_incidents (command line)")
        try:
            result = replace_incidents(actor, agency, commit=options["commit"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for line in result.lines():
                self.stdout.write(line)
        if not options["commit"]:
            self.stdout.write(_("Dry run: nothing written. Add --commit to place them."))
