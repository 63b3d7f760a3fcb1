"""Local receivers for the alert benchmark, each in its own process: an SMTP sink and a webhook receiver.

``python bench/alert_sinks.py smtp|http PORT STATS_FILE`` accepts everything, counts messages (and distinct
Message-IDs / delivery ids, to see duplicates) and writes its counts and the wall-clock time of the first
and last message to STATS_FILE every 0.2 s, so the benchmark can time delivery without sharing a process.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Stats:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.keys: set[bytes] = set()
        self.first = 0.0
        self.last = 0.0
        self.lock = threading.Lock()

    def add(self, key: bytes) -> None:
        now = time.time()
        with self.lock:
            self.count += 1
            self.keys.add(key)
            self.first = self.first or now
            self.last = now

    def dump(self) -> None:
        with self.lock:
            data = {"count": self.count, "distinct": len(self.keys), "first": self.first, "last": self.last}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.path)

    def dump_forever(self) -> None:
        while True:
            self.dump()
            time.sleep(0.2)


class SmtpHandler:
    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        found = _MESSAGE_ID.search(envelope.content)
        self.stats.add(found.group(1) if found else b"")
        return "250 OK"


def serve_smtp(port: int, stats: Stats) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(SmtpHandler(stats), hostname="127.0.0.1", port=port)
    controller.start()
    threading.Event().wait()


def serve_http(port: int, stats: Stats) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            stats.add((self.headers.get("X-Koban-Delivery") or "").encode())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    server.serve_forever()


def main(argv: list[str]) -> None:
    kind, port, path = argv[0], int(argv[1]), Path(argv[2])
    stats = Stats(path)
    stats.dump()
    threading.Thread(target=stats.dump_forever, daemon=True).start()
    if kind == "smtp":
        asyncio.set_event_loop(asyncio.new_event_loop())
        serve_smtp(port, stats)
    else:
        serve_http(port, stats)


if __name__ == "__main__":
    main(sys.argv[1:])
