"""The managed local PostgreSQL + PostGIS cluster used when no ``DATABASE_URL`` is set.

``make demo``, ``make test`` and the ``koban`` command create a private cluster under the data folder
(``KOBAN_DATA_DIR``, by default ``var/`` in the project) and start it on demand, so nobody has to set up
a database server by hand. The cluster listens on a Unix socket only (no TCP port to collide with other
servers) and the socket folder is readable by its owner only.

PostgreSQL refuses to run as root. When the effective user is root, the server binaries run as the
``postgres`` system user (created by Debian's packages) and the cluster folder belongs to that user.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "koban"
DATABASE = "koban"
PORT = 5432
# A Unix socket path is limited to 107 bytes on Linux; leave room for "/.s.PGSQL.5432".
_MAX_SOCKET_DIR = 90


class LocalDatabaseError(RuntimeError):
    """The local cluster could not be created, started or reached."""


def find_bindir() -> Path:
    """Return the folder holding initdb/pg_ctl, preferring ``KOBAN_PG_BINDIR``, then the newest Debian one."""
    configured = os.environ.get("KOBAN_PG_BINDIR")
    if configured:
        return Path(configured)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for bindir in reversed(candidates):
        if (bindir / "initdb").exists():
            return bindir
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise LocalDatabaseError(
        "PostgreSQL server binaries were not found. Run 'make install' (Debian packages "
        "postgresql-15 and postgresql-15-postgis-3) or set DATABASE_URL to an existing server."
    )


def _is_root() -> bool:
    return os.geteuid() == 0


@dataclass(frozen=True)
class LocalCluster:
    """A private PostgreSQL cluster kept under *data_dir*."""

    data_dir: Path

    @cached_property
    def root(self) -> Path:
        """Folder of the cluster files; outside the data folder only if the postgres user cannot reach it."""
        preferred = self.data_dir / "pgdata"
        if _is_root() and not _postgres_can_reach(self.data_dir):
            digest = hashlib.sha1(str(self.data_dir).encode(), usedforsecurity=False).hexdigest()[:12]
            return Path("/var/lib/koban/clusters") / digest
        return preferred

    @property
    def pgdata(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        preferred = self.root / "run"
        if len(str(preferred)) <= _MAX_SOCKET_DIR:
            return preferred
        digest = hashlib.sha1(str(self.root).encode(), usedforsecurity=False).hexdigest()[:12]
        # Only for very long project paths; the folder is created 0700 and owned by the server user.
        return Path("/tmp") / f"koban-{digest}"  # noqa: S108

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    # -- queries -----------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        result = self._run_server_tool(["pg_ctl", "status", "-D", str(self.pgdata)], check=False)
        return result.returncode == 0

    def django_database(self, name: str = DATABASE) -> dict[str, object]:
        """Return the ``DATABASES['default']`` entry for this cluster."""
        return {
            "ENGINE": "django.contrib.gis.db.backends.postgis",
            "NAME": name,
            "USER": SUPERUSER,
            "HOST": str(self.socket_dir),
            "PORT": str(PORT),
            "CONN_MAX_AGE": 60,
            # KOBAN_TEST_DB_NAME lets several test runs share one cluster without clashing.
            "TEST": {"NAME": os.environ.get("KOBAN_TEST_DB_NAME") or f"test_{name}"},
        }

    def url(self, name: str = DATABASE) -> str:
        return f"postgis://{SUPERUSER}@{quote(str(self.socket_dir), safe='')}:{PORT}/{name}"

    # -- actions -----------------------------------------------------------------------------

    def ensure_running(self, quiet: bool = False) -> None:
        """Create the cluster if needed, start it if stopped, and make sure the database exists."""
        if not self.is_initialised():
            self.initialise(quiet=quiet)
        if not self.is_running():
            self.start(quiet=quiet)
        self._ensure_database(DATABASE)

    def initialise(self, quiet: bool = False) -> None:
        if not quiet:
            print(f"Creating a private PostgreSQL cluster in {self.root} …", flush=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self._own(self.root)
        self._run_server_tool(
            [
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=reject",
            ]
        )
        settings = (
            "\n# Managed by koban (koban/lib/localdb.py)\n"
            "listen_addresses = ''\n"
            f"port = {PORT}\n"
            f"unix_socket_directories = '{self.socket_dir}'\n"
            "unix_socket_permissions = 0700\n"
            "max_connections = 100\n"
            "shared_buffers = 256MB\n"
            "synchronous_commit = off\n"
            "logging_collector = off\n"
        )
        conf = self.pgdata / "postgresql.conf"
        self._run_server_tool(["sh", "-c", f"cat >> '{conf}'"], input_text=settings)

    def start(self, quiet: bool = False) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._own(self.socket_dir)
        if not quiet:
            print(f"Starting PostgreSQL (socket {self.socket_dir}) …", flush=True)
        result = self._run_server_tool(
            ["pg_ctl", "-D", str(self.pgdata), "-l", str(self.log_file), "-w", "-t", "60", "start"],
            check=False,
        )
        if result.returncode != 0:
            tail = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise LocalDatabaseError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}\n{tail}")

    def stop(self) -> None:
        if self.is_running():
            self._run_server_tool(["pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop"])

    def _ensure_database(self, name: str) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg.connect(
                    host=str(self.socket_dir),
                    port=PORT,
                    user=SUPERUSER,
                    dbname="postgres",
                    autocommit=True,
                )
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
            # The test database is cloned from template1; having PostGIS there saves each test run
            # from creating the extension again.
        with psycopg.connect(
            host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname="template1", autocommit=True
        ) as tconn:
            tconn.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    # -- plumbing ----------------------------------------------------------------------------

    def _own(self, path: Path) -> None:
        if _is_root():
            subprocess.run(["chown", "-R", "postgres:postgres", str(path)], check=True)
            path.chmod(0o700)

    def _run_server_tool(
        self, argv: list[str], check: bool = True, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        tool = argv[0]
        if tool != "sh":
            argv = [str(find_bindir() / tool), *argv[1:]]
        if _is_root():
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, input=input_text, check=False, cwd="/")
        if check and result.returncode != 0:
            raise LocalDatabaseError(
                f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result


def _postgres_can_reach(folder: Path) -> bool:
    """Return whether the postgres system user can enter every folder on the way to *folder*."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", "test", "-x", str(existing)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def default_data_dir() -> Path:
    configured = os.environ.get("KOBAN_DATA_DIR")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[2] / "var"


def default_cluster() -> LocalCluster:
    return LocalCluster(default_data_dir())
