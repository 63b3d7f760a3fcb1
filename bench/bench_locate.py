"""Benchmark: ``GET /api/v1/locate`` under the production server, with token authentication.

Target (docs/performance.md): p95 < 10 ms at ≥ 1,000 requests/s on 2 cores. The API answer is measured
end to end: gunicorn (``koban serve``, the documented production path) on loopback, an API token in the
``Authorization`` header, and wrk as a bounded load generator (fixed connections and duration) cycling
over clustered points of a realistic beat network. The baseline, measured in the same run against the
same database, is the same two queries run directly in PostGIS over one connection: the active beat
containing the point and the nearest operating boxes. Their ratio is what the API layer costs.

The machine running the benchmark also runs wrk and PostgreSQL, so on 2 cores the three share the CPU;
the figures are a floor for a deployment with the database on its own host.

Set-up: a benchmark agency with a station and one box and beat per cell of a deterministic network
(``bench/realistic_beats.py``), committed so that the server processes see it, and removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FULL_BEATS, QUICK_BEATS = 1500, 200
FULL_POINTS, QUICK_POINTS = 2000, 200
FULL_SECONDS, QUICK_SECONDS = 15, 4
CONNECTIONS = 8
TARGET_P95_MS = 10.0
TARGET_RPS = 1000.0
AGENCY_CODE = "BENCH-LOCATE"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# wrk script: cycle over the request paths written beside it, and print latency percentiles as JSON.
_WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
wrk.headers["Authorization"] = "%(authorization)s"
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local out = string.format(
    '{"requests": %%d, "duration_us": %%d, "errors_status": %%d, "errors_connect": %%d, ' ..
    '"errors_timeout": %%d, "p50_us": %%d, "p90_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max)
  io.stderr:write("WRK_JSON " .. out .. "\\n")
end
"""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koban.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        if not os.environ.get("DATABASE_URL"):
            from koban.lib.localdb import default_cluster

            default_cluster().ensure_running(quiet=True)
        django.setup()


def _remove_network() -> None:
    from koban.accounts.models import User
    from koban.geography.models import Beat, BeatVersion
    from koban.organization.models import Agency, PoliceBox, PoliceStation

    agencies = Agency.objects.filter(code=AGENCY_CODE)
    users = User.objects.filter(agency__in=agencies)
    _delete_tokens(users)
    users.delete()
    Beat.objects.filter(version__agency__in=agencies).delete()
    BeatVersion.objects.filter(agency__in=agencies).delete()
    PoliceBox.objects.filter(station__agency__in=agencies).delete()
    PoliceStation.objects.filter(agency__in=agencies).delete()
    agencies.delete()


def _network(n_beats: int) -> Any:
    """Commit an agency with one box and one active beat per cell; return the benchmark user."""
    import shapely
    from django.contrib.gis.geos import GEOSGeometry, Point
    from django.db import transaction

    from bench.realistic_beats import beats
    from koban.accounts.models import Role, User
    from koban.geography.models import Beat, BeatVersion
    from koban.organization.models import Agency, PoliceBox, PoliceStation

    polygons = beats(n_beats)
    with transaction.atomic():
        agency = Agency.objects.create(code=AGENCY_CODE, name="Locate benchmark")
        centre = shapely.unary_union(polygons).representative_point()
        station = PoliceStation.objects.create(
            agency=agency, code="S", name="ベンチ警察署", location=Point(centre.x, centre.y, srid=4326)
        )
        boxes = PoliceBox.objects.bulk_create(
            PoliceBox(
                station=station,
                code=f"B{i:05d}",
                name=f"ベンチ交番{i}",
                location=Point(p.representative_point().x, p.representative_point().y, srid=4326),
            )
            for i, p in enumerate(polygons)
        )
        version = BeatVersion.objects.create(agency=agency, name="bench", status=BeatVersion.Status.ACTIVE)
        Beat.objects.bulk_create(
            Beat(
                version=version,
                box=box,
                code=box.code,
                geom=GEOSGeometry(shapely.MultiPolygon([polygon]).wkt, srid=4326),
            )
            for box, polygon in zip(boxes, polygons, strict=True)
        )
        user = User.objects.create(username="bench-locate", role=Role.HQ_PLANNER, agency=agency)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE geography_beat; ANALYZE organization_policebox")
    return user


def _delete_tokens(users: Any) -> None:
    """Remove the benchmark user's API tokens (they reference the user)."""
    from koban.accounts.models import ApiToken

    ApiToken.objects.filter(user__in=users).delete()


def _authorization(user: Any) -> str:
    """An ``Authorization`` header value carrying a fresh read-only API token of *user*."""
    from koban.accounts.models import ApiToken
    from koban.accounts.tokens import create_api_token

    _token, secret = create_api_token(user, name="locate benchmark", scope=ApiToken.Scope.READ, days=1)
    return f"Bearer {secret}"


def _points(n: int) -> list[tuple[float, float]]:
    from bench.realistic_beats import points

    lons, lats = points(n)
    return list(zip(lons.tolist(), lats.tolist(), strict=True))


def _direct_postgis(pts: list[tuple[float, float]], seconds: float) -> dict[str, Any]:
    """The locate queries run straight in PostGIS over one connection: latency per point and rate."""
    from django.db import connection

    beat_sql = (
        "SELECT b.id, b.box_id FROM geography_beat b JOIN geography_beatversion v ON v.id = b.version_id "
        "WHERE v.status = 'active' AND ST_Contains(b.geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) LIMIT 1"
    )
    nearest_sql = (
        "SELECT id, ST_X(location), ST_Y(location) FROM organization_policebox "
        "WHERE status IN ('open', 'temporarily_closed') "
        "ORDER BY location <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 8"
    )
    latencies: list[float] = []
    started = time.perf_counter()
    with connection.cursor() as cursor:
        i = 0
        while time.perf_counter() - started < seconds:
            lon, lat = pts[i % len(pts)]
            t0 = time.perf_counter()
            cursor.execute(beat_sql, [lon, lat])
            cursor.fetchall()
            cursor.execute(nearest_sql, [lon, lat])
            cursor.fetchall()
            latencies.append(time.perf_counter() - t0)
            i += 1
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(quantiles[49] * 1000, 3),
        "p95_ms": round(quantiles[94] * 1000, 3),
        "p99_ms": round(quantiles[98] * 1000, 3),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, KOBAN_WEB_ACCESS_LOG="", PYTHONPATH=str(PROJECT_ROOT))
    command = [
        sys.executable,
        "-m",
        "koban.cli",
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"koban serve exited: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("koban serve did not start listening within 60 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _wrk(port: int, paths: list[str], authorization: str, seconds: int, connections: int) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (make install adds Debian's wrk package)")
    with tempfile.TemporaryDirectory() as folder:
        paths_file = Path(folder) / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        script = Path(folder) / "locate.lua"
        script.write_text(_WRK_SCRIPT % {"paths": paths_file, "authorization": authorization})
        done = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    line = next(line for line in done.stderr.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    duration_s = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / duration_s, 1),
        "non_2xx_or_errors": raw["errors_status"] + raw["errors_connect"] + raw["errors_timeout"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "connections": connections,
    }


def _check_answer(port: int, path: str, authorization: str) -> dict[str, Any]:
    """One request by hand, so a wrong answer (401, 404, an empty locate) fails the run loudly."""
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": authorization}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback URL built here)
        body = json.loads(response.read())
    if not body.get("beat"):
        raise RuntimeError(f"locate found no beat for {path}: {body}")
    return body


def run(quick: bool = False) -> dict[str, Any]:
    _setup_django()
    n_beats = QUICK_BEATS if quick else FULL_BEATS
    seconds = QUICK_SECONDS if quick else FULL_SECONDS
    _remove_network()
    user = _network(n_beats)
    try:
        pts = _points(QUICK_POINTS if quick else FULL_POINTS)
        authorization = _authorization(user)
        paths = [f"/api/v1/locate?lat={lat:.6f}&lon={lon:.6f}" for lon, lat in pts]
        direct = _direct_postgis(pts, seconds)
        workers = int(os.environ.get("KOBAN_BENCH_WEB_WORKERS", str(2 * (os.cpu_count() or 1))))
        threads = int(os.environ.get("KOBAN_BENCH_WEB_THREADS", "1"))
        port = _free_port()
        server = _start_server(port, workers, threads)
        try:
            inside = next(p for p in paths if _inside(p))
            _check_answer(port, inside, authorization)
            _wrk(port, paths, authorization, max(1, seconds // 4), CONNECTIONS)  # warm every worker
            api = _wrk(port, paths, authorization, seconds, CONNECTIONS)
        finally:
            _stop(server)
    finally:
        _remove_network()
    result: dict[str, Any] = {
        "beats": n_beats,
        "distinct_points": len(pts),
        "server": {"command": "koban serve (gunicorn gthread)", "workers": workers, "threads": threads},
        "api": api,
        "direct_postgis": direct,
        "api_p95_vs_direct_p95": round(api["p95_ms"] / direct["p95_ms"], 2) if direct["p95_ms"] else None,
        "api_rate_vs_direct_rate": round(api["requests_per_s"] / direct["requests_per_s"], 3),
        "target": {"p95_ms": TARGET_P95_MS, "requests_per_s": TARGET_RPS},
        "target_met": api["p95_ms"] < TARGET_P95_MS and api["requests_per_s"] >= TARGET_RPS,
        "cpu_count": os.cpu_count(),
    }
    result["summary"] = _summary(result)
    return result


def _inside(path: str) -> bool:
    """Whether the point of *path* lies in an active beat (clustered points include a few outside)."""
    from django.contrib.gis.geos import Point

    from koban.geography.models import Beat

    query = dict(part.split("=") for part in path.split("?", 1)[1].split("&"))
    point = Point(float(query["lon"]), float(query["lat"]), srid=4326)
    return Beat.objects.current().containing(point).exists()


def _summary(result: dict[str, Any]) -> list[str]:
    api, direct = result["api"], result["direct_postgis"]
    return [
        f"locate API under gunicorn ({result['server']['workers']} workers), token auth, "
        f"{api['connections']} connections: {api['requests_per_s']:.0f} req/s, "
        f"p50 {api['p50_ms']:.2f} ms, p95 {api['p95_ms']:.2f} ms, p99 {api['p99_ms']:.2f} ms, "
        f"{api['non_2xx_or_errors']} errors",
        f"same queries directly in PostGIS (1 connection): {direct['requests_per_s']:.0f} /s, "
        f"p50 {direct['p50_ms']:.2f} ms, p95 {direct['p95_ms']:.2f} ms",
        f"API p95 / direct p95 = {result['api_p95_vs_direct_p95']}; target p95 < {TARGET_P95_MS:.0f} ms at "
        f">= {TARGET_RPS:.0f} req/s: {'met' if result['target_met'] else 'NOT met'}",
    ]
