"""The ``koban`` command: Django's manage.py with the settings preset, plus ``koban db …`` and ``koban serve``.

Without ``DATABASE_URL`` every command that may touch the database first makes sure the managed local
cluster exists and is running, so ``koban runserver`` works on a fresh checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Commands that never need the database.
_NO_DATABASE = {"help", "--help", "-h", "version", "--version", "makemessages", "compilemessages", "check"}

_DB_USAGE = """usage: koban db start|stop|status|url

Manage the private PostgreSQL cluster used when DATABASE_URL is not set.
  start   create the cluster if needed and start it
  stop    stop it
  status  say whether it exists and runs
  url     print the DATABASE_URL that reaches it
"""


def db_command(args: list[str]) -> int:
    from koban.lib.localdb import LocalDatabaseError, default_cluster

    if os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is set: Koban uses that server, not a managed local cluster.", file=sys.stderr)
        return 2
    if len(args) != 1 or args[0] not in {"start", "stop", "status", "url"}:
        print(_DB_USAGE, file=sys.stderr)
        return 2
    cluster = default_cluster()
    try:
        if args[0] == "start":
            cluster.ensure_running()
            print(f"PostgreSQL is running: {cluster.url()}")
        elif args[0] == "stop":
            cluster.stop()
            print("PostgreSQL is stopped.")
        elif args[0] == "status":
            state = (
                "running"
                if cluster.is_running()
                else ("stopped" if cluster.is_initialised() else "not created")
            )
            print(f"{state}: {cluster.root}")
            return 0 if state == "running" else 3
        else:
            print(cluster.url())
    except LocalDatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def ensure_local_database() -> None:
    """Start the managed cluster unless an external database is configured."""
    if os.environ.get("DATABASE_URL"):
        return
    from koban.lib.localdb import default_cluster

    default_cluster().ensure_running(quiet=True)


def serve_command(args: list[str]) -> int:
    """Run the production web server (gunicorn, configured by ``koban/gunicorn_conf.py``).

    Extra arguments go to gunicorn (``koban serve --workers 8``). The process is replaced by gunicorn,
    so a service manager's signals reach it directly.
    """
    ensure_local_database()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--config", "python:koban.gunicorn_conf", *args]
    os.execv(command[0], command)  # noqa: S606 (fixed program, arguments from the operator)
    return 0  # not reached: execv replaces the process


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koban.settings")
    if len(argv) > 1 and argv[1] == "db":
        return db_command(argv[2:])
    if len(argv) > 1 and argv[1] == "serve":
        return serve_command(argv[2:])
    if len(argv) > 1 and argv[1] == "bench":
        # bench/ sits beside the package in the source tree, not in the installed package; the
        # console script's sys.path does not hold the project root, so add it.
        project_root = str(Path(__file__).resolve().parent.parent)
        if project_root not in sys.path:
            sys.path.insert(0, project_root)
        from bench.run import main as bench_main

        return bench_main(argv[2:])
    if len(argv) > 1 and argv[1] not in _NO_DATABASE:
        ensure_local_database()
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
