"""Gunicorn settings for ``koban serve``, read from the environment (documented in ``.env.example``).

Koban's views are synchronous Django with a synchronous database driver, so the production server is
gunicorn with pre-forked worker processes, each with a few threads (``gthread``): a request that waits
on PostgreSQL blocks one thread, not the process. See docs/decisions/0008-production-server-gunicorn.md.
"""

from __future__ import annotations

import os

from koban.lib.env import env_int, env_str

bind = env_str("KOBAN_WEB_BIND", "127.0.0.1:8000")
# Two processes per core is the usual starting point for a database-bound Django app.
workers = env_int("KOBAN_WEB_WORKERS", 2 * (os.cpu_count() or 1))
worker_class = "gthread"
threads = env_int("KOBAN_WEB_THREADS", 4)
timeout = env_int("KOBAN_WEB_TIMEOUT", 60)
keepalive = env_int("KOBAN_WEB_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak in a library cannot grow without bound.
max_requests = env_int("KOBAN_WEB_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
# Load the application once in the master so workers share its memory (copy-on-write) and a broken
# configuration stops the server at start-up instead of in every worker.
preload_app = True
accesslog = env_str("KOBAN_WEB_ACCESS_LOG", "-") or None
errorlog = "-"
# Only trust X-Forwarded-* headers from the reverse proxy on the same machine unless told otherwise.
forwarded_allow_ips = env_str("KOBAN_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "koban.wsgi:application"
