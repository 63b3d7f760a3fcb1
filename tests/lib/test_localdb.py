"""The managed local cluster: the test suite itself runs on it, so here only the CLI and the edges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from koban.lib.localdb import LocalCluster, default_cluster

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="an external DATABASE_URL is in use"
)


def koban(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "koban.cli", *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_db_status_and_url_reach_the_running_cluster() -> None:
    status = koban("db", "status")
    assert status.returncode == 0 and status.stdout.startswith("running")
    url = koban("db", "url").stdout.strip()
    assert url.startswith("postgis://koban@")
    cluster = default_cluster()
    with psycopg.connect(host=str(cluster.socket_dir), user="koban", dbname="koban") as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("koban",)
    # New databases (the test database among them) are cloned from template1, which has PostGIS.
    with psycopg.connect(host=str(cluster.socket_dir), user="koban", dbname="template1") as conn:
        assert conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()


def test_db_start_is_idempotent() -> None:
    result = koban("db", "start")
    assert result.returncode == 0, result.stderr
    assert "running" in result.stdout


def test_unknown_db_subcommand_shows_usage() -> None:
    result = koban("db", "explode")
    assert result.returncode == 2 and "usage: koban db" in result.stderr


def test_very_long_paths_get_a_short_socket_folder(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    cluster = LocalCluster(deep)
    assert len(str(cluster.socket_dir)) < 100


def test_the_socket_folder_is_private() -> None:
    mode = default_cluster().socket_dir.stat().st_mode & 0o777
    assert mode == 0o700
