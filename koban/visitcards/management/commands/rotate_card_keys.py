"""``koban rotate_card_keys``: move every visit card to the current master key (resumable).

    koban rotate_card_keys --add-key k2     # add a new master key to the key file and make it current
    koban rotate_card_keys                  # re-encrypt the cards still on older keys, in batches
    koban rotate_card_keys --background     # the same as a background run for a worker

Killed half-way, it leaves every card readable (each batch is committed whole) and a new run goes on
with the cards still on older keys. Remove an old key from the keyring only once this reports none left.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from koban.runs.services import execute, start_run
from koban.visitcards.crypto.keyring import KeyringError, add_master_key, key_file_path, keyring
from koban.visitcards.jobs import DEFAULT_BATCH, ROTATE_KIND


class Command(BaseCommand):
    help = "Re-encrypt visit cards still on an older master key under the current one (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--add-key", metavar="ID", help="Add a new master key ID to the key file and make it current."
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH, help="Cards per committed batch."
        )
        parser.add_argument(
            "--background", action="store_true", help="Queue the rotation as a background run."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1"))
        try:
            if options["add_key"]:
                self._add_key(options["add_key"])
            current = keyring().current_id
        except KeyringError as exc:
            raise CommandError(str(exc)) from exc
        run = start_run(
            ROTATE_KIND,
            actor="rotate_card_keys (command line)",
            parameters={"batch_size": options["batch_size"], "key_id": current},
            background=options["background"],
        )
        if options["background"]:
            self.stdout.write(_("Queued background run %(id)s (a worker must be running).") % {"id": run.pk})
            return
        run = execute(run.pk, echo=lambda stage, done, total: None)
        self.stdout.write(run.report.get("summary", ""))
        if run.status != run.Status.DONE:
            raise CommandError(
                run.error or _("The rotation did not finish; run the command again to resume.")
            )

    def _add_key(self, key_id: str) -> None:
        path = key_file_path()
        if path is None:
            raise CommandError(_("--add-key needs the keyring in a file (KOBAN_CARD_MASTER_KEYS is inline)."))
        add_master_key(path, key_id)
        self.stdout.write(
            _("Added master key %(id)s to %(path)s; it is now current.") % {"id": key_id, "path": path}
        )
