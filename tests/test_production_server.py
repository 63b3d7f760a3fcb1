"""`koban serve` runs the application under gunicorn, configured from the environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_listening(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("koban serve did not listen within 60 s")


def test_koban_serve_answers_through_gunicorn_with_settings_from_the_environment() -> None:
    port = _free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(PROJECT_ROOT),
        KOBAN_WEB_BIND=f"127.0.0.1:{port}",
        KOBAN_WEB_WORKERS="1",
        KOBAN_WEB_THREADS="2",
        KOBAN_WEB_ACCESS_LOG="-",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "koban.cli", "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _wait_until_listening(server, port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30) as response:
            assert response.status == 200
            assert b"<form" in response.read()
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    log = err.decode()
    assert "Using worker: gthread" in log
    assert "Booting worker" in log and log.count("Booting worker") == 1  # KOBAN_WEB_WORKERS=1
    assert '"GET /login/ HTTP/1.1" 200' in out.decode()  # the access log goes to standard output
