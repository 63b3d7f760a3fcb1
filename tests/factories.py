"""Plain functions that build the rows tests need, with sensible defaults."""

from __future__ import annotations

from itertools import count

from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from koban.accounts.models import Role, User
from koban.geography.models import Beat, BeatVersion
from koban.organization.models import Agency, PoliceBox, PoliceStation

_seq = count(1)
PASSWORD = "correct-horse-battery-staple"


def square(lon: float, lat: float, size: float = 0.01) -> MultiPolygon:
    """A square multipolygon with its south-west corner at (lon, lat), *size* degrees wide."""
    ring = ((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat))
    return MultiPolygon(Polygon(ring), srid=4326)


def make_agency(code: str = "T1", name: str = "Test Prefectural Police") -> Agency:
    return Agency.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_station(agency: Agency | None = None, code: str | None = None, **fields) -> PoliceStation:  # type: ignore[no-untyped-def]
    n = next(_seq)
    fields.setdefault("name", f"Station {n}")
    fields.setdefault("location", Point(139.70 + n * 0.001, 35.60, srid=4326))
    return PoliceStation.objects.create(agency=agency or make_agency(), code=code or f"S{n}", **fields)


def make_box(station: PoliceStation | None = None, code: str | None = None, **fields) -> PoliceBox:  # type: ignore[no-untyped-def]
    n = next(_seq)
    fields.setdefault("name", f"Box {n}")
    fields.setdefault("kind", "koban")
    fields.setdefault("location", Point(139.70, 35.60, srid=4326))
    return PoliceBox.objects.create(station=station or make_station(), code=code or f"B{n}", **fields)


def make_user(role: str = Role.BOX_OFFICER, username: str | None = None, **fields) -> User:  # type: ignore[no-untyped-def]
    username = username or f"user{next(_seq)}"
    return User.objects.create_user(username=username, password=PASSWORD, role=role, **fields)


def make_version(
    agency: Agency | None = None, status: str = BeatVersion.Status.DRAFT, **fields
) -> BeatVersion:  # type: ignore[no-untyped-def]
    fields.setdefault("name", f"Beats {next(_seq)}")
    return BeatVersion.objects.create(agency=agency or make_agency(), status=status, **fields)


def make_beat(version: BeatVersion, box: PoliceBox, geom: MultiPolygon, code: str | None = None) -> Beat:
    return Beat.objects.create(
        version=version, box=box, geom=geom, code=code or f"K{next(_seq)}", name=box.name
    )


def make_api_token(user: User, scope: str = "write", days: int = 30, name: str = "test program") -> str:
    """Create an API token for *user* and return its secret, for ``Authorization: Bearer <secret>``."""
    from koban.accounts.tokens import create_api_token

    _token, secret = create_api_token(user, name=name, scope=scope, days=days)
    return secret


def bearer(secret: str) -> dict[str, str]:
    """Headers for the test client (``client.get(url, **bearer(secret))``)."""
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def sign_in(client, username: str) -> None:  # type: ignore[no-untyped-def]
    """Sign *client* in as *username*, like a page login (``client.login`` bypasses the lockout check,
    which needs the request, so tests that are not about signing in use this)."""
    client.force_login(User.objects.get(username=username))
