"""The people of the demo prefecture: a login for every role, and the file that keeps their passwords.

Passwords are random (``secrets``), made once and kept in ``<DATA_DIR>/demo-logins.txt`` (mode 0600)
so that every later ``koban load_demo`` can print them again; a reset reuses the passwords already in
the file for the same usernames.
"""

from __future__ import annotations

import os
import random
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.utils.translation import gettext as _

from koban.accounts.models import Role, User
from koban.demo import names
from koban.organization.models import Agency, PoliceBox, PoliceStation

if TYPE_CHECKING:  # the plan pulls in numpy, scipy and shapely, which printing the logins does not need
    from koban.demo.city import Plan

LOGINS_FILE_NAME = "demo-logins.txt"
# The plaintext sits next to the hashes in the logins file, so full-strength hashing (about a second
# per password here) would only slow the demo down; Django re-hashes at full strength at first login.
_DEMO_HASH_ITERATIONS = 20_000
_COLUMNS = ("role", "username", "password", "name", "station", "box")


@dataclass
class Login:
    role: str
    username: str
    password: str
    name: str
    station: str = ""
    box: str = ""


@dataclass
class Person:
    role: str
    username: str
    name: str
    station: int | None = None  # index into plan.stations
    box: int | None = None  # index into plan.boxes


def logins_path(data_dir: Path | None = None) -> Path:
    """The logins file of the database in use: demos in two databases must not share passwords."""
    name = str(settings.DATABASES["default"]["NAME"])
    file_name = LOGINS_FILE_NAME if name == "koban" else f"demo-logins-{name}.txt"
    return Path(data_dir or settings.DATA_DIR) / file_name


def plan_people(plan: Plan) -> list[Person]:
    """Who works where: chiefs, box officers, counsellors, an HQ planner and an administrator."""
    rng = random.Random(f"{plan.seed}:people")
    people = [
        Person(Role.ADMINISTRATOR, "admin", _person_name(rng)),
        Person(Role.HQ_PLANNER, "planner", _person_name(rng)),
    ]
    for s, station in enumerate(plan.stations):
        people.append(Person(Role.STATION_CHIEF, f"chief.{station.slug}", _person_name(rng), station=s))
    koban_seen = 0
    for b, box in enumerate(plan.boxes):
        # 3–5 officers across the shifts of a koban; a chuzaisho has its one resident officer.
        count = 1 if box.kind == "chuzaisho" else min(5, max(3, box.staffing_target + rng.randint(0, 1)))
        for n in range(1, count + 1):
            people.append(
                Person(Role.BOX_OFFICER, f"officer.{box.slug}.{n}", _person_name(rng), box.station, b)
            )
        if box.kind == "koban":
            # Counsellors (交番相談員) sit in the busiest koban: those at railway stations and some others.
            if box.at_railway_station or koban_seen % 3 == 1:
                people.append(
                    Person(Role.BOX_COUNSELLOR, f"counsellor.{box.slug}", _person_name(rng), box.station, b)
                )
            koban_seen += 1
    # Community logins (no police powers): a volunteer of a group at each station, and the staff login
    # of a partner organization; the volunteers and partners demo steps link them to their group and
    # organization (the station on the login only says where to look; it opens nothing there).
    for s, station in enumerate(plan.stations):
        people.append(Person(Role.VOLUNTEER, f"volunteer.{station.slug}", _person_name(rng), station=s))
    people.append(Person(Role.PARTNER, "partner.shops", _person_name(rng), station=0))
    return people


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(names.SURNAMES)} {rng.choice(names.GIVEN_NAMES)}"


def create_people(
    agency: Agency,
    plan: Plan,
    people: list[Person],
    stations: list[PoliceStation],
    boxes: list[PoliceBox],
    known: dict[str, str],
) -> list[Login]:
    """Save the users; passwords come from *known* (username → password) or are made now."""
    taken = set(
        User.objects.filter(username__in=[p.username for p in people]).values_list("username", flat=True)
    )
    if taken:
        raise ValueError(
            _("Users %(names)s already exist outside the demo; the demo cannot be loaded next to them.")
            % {"names": ", ".join(sorted(taken))}
        )
    users, logins = [], []
    for k, person in enumerate(people):
        password = known.get(person.username) or secrets.token_urlsafe(9)
        station = stations[person.station] if person.station is not None else None
        box = boxes[person.box] if person.box is not None else None
        surname, _space, given = person.name.partition(" ")
        users.append(
            User(
                username=person.username,
                password=demo_password_hash(password),
                role=person.role,
                display_name=person.name,
                last_name=surname,
                first_name=given,
                badge_number=f"D{(person.station or 0) + 1}{k:04d}"
                if person.role != Role.ADMINISTRATOR
                else "",
                agency=agency,
                station=station,
                box=box,
                is_staff=person.role in (Role.ADMINISTRATOR, Role.HQ_PLANNER),
                is_superuser=person.role == Role.ADMINISTRATOR,
                language="ja",
            )
        )
        logins.append(
            Login(
                str(person.role),
                person.username,
                password,
                person.name,
                station.name if station else "",
                box.name if box else "",
            )
        )
    User.objects.bulk_create(users)
    return logins


def demo_password_hash(password: str) -> str:
    """Hash *password* with the project's default hasher, cheaply when that hasher is PBKDF2."""
    hasher = get_hasher("default")
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=_DEMO_HASH_ITERATIONS)
    return make_password(password)


def reset_passwords(agency: Agency) -> list[Login]:
    """Give every user of the demo agency a new password (when the logins file was lost)."""
    logins = []
    for user in User.objects.filter(agency=agency).select_related("station", "box").order_by("pk"):
        password = secrets.token_urlsafe(9)
        user.password = demo_password_hash(password)
        user.save(update_fields=["password"])
        logins.append(
            Login(
                user.role,
                user.username,
                password,
                user.display_name,
                user.station.name if user.station else "",
                user.box.name if user.box else "",
            )
        )
    return logins


def write_logins(path: Path, logins: list[Login]) -> None:
    """Write the logins as tab-separated lines, readable only by the owner (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Koban demo prefecture: logins of fictional people. Keep this file private.",
        "\t".join(_COLUMNS),
    ]
    lines.extend("\t".join(_clean(getattr(login, column)) for column in _COLUMNS) for login in logins)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # an older file may have been created with a wider mode


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ")


def read_logins(path: Path) -> list[Login]:
    """The logins in *path*, or none when the file does not exist or is not a logins file."""
    if not path.exists():
        return []
    logins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if tuple(fields) == _COLUMNS or len(fields) != len(_COLUMNS):
            continue
        logins.append(Login(*fields))
    return logins


def main_logins(logins: list[Login]) -> list[Login]:
    """One login per kind of user worth trying first: admin, planner, a chief, officers, a counsellor."""
    picks: list[Login] = []

    def first(predicate) -> None:  # type: ignore[no-untyped-def]
        found = next((login for login in logins if predicate(login) and login not in picks), None)
        if found is not None:
            picks.append(found)

    first(lambda login: login.username == "admin")
    first(lambda login: login.role == Role.HQ_PLANNER)
    first(lambda login: login.role == Role.STATION_CHIEF)
    first(lambda login: login.role == Role.BOX_OFFICER and login.box.endswith("交番"))
    first(lambda login: login.role == Role.BOX_OFFICER and login.box.endswith("駐在所"))
    first(lambda login: login.role == Role.BOX_COUNSELLOR)
    return picks


def print_logins(out: TextIO, logins: list[Login], path: Path) -> None:
    """A short table of the main logins and where the rest are."""
    picks = main_logins(logins)
    if not picks:
        out.write(_("No demo logins are recorded in %(path)s.") % {"path": path} + "\n")
        return
    rows = [(_("role"), _("username"), _("password"), _("box"))]
    rows += [
        (str(Role(p.role).label) if p.role in Role.values else p.role, p.username, p.password, p.box)
        for p in picks
    ]
    widths = [max(_width(row[c]) for row in rows) for c in range(4)]
    for row in rows:
        out.write("  " + "  ".join(_pad(cell, widths[c]) for c, cell in enumerate(row)).rstrip() + "\n")
    out.write(_("All %(count)d logins (mode 0600): %(path)s") % {"count": len(logins), "path": path} + "\n")


def _width(text: str) -> int:
    # Japanese characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
