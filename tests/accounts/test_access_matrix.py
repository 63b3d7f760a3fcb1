"""The access matrix: role × resource × action × front-end, every cell asserted, generated from ``ROWS``.

Each row names a request (page, API or admin) on one record of box A and who may make it:
- ``found``: those who get past the object lookup; everyone else gets the answer of a missing record
  (404 on pages and the API, the redirect of a missing object in the admin) and an ``access.denied`` row
  in the audit trail;
- ``allowed``: those who may take the action (default: ``found``); the others of ``found`` get 403;
- ``mark`` / ``shows``: for lists and personal fields, text that appears only for ``shows``.
Anonymous visitors are sent to the login (pages, admin) or refused (API). ``special`` pins the few cells
whose answer is neither (staff without the admin permission for a model get the admin's 403).

``test_every_protected_model_has_rows`` fails when a model holding personal data or police powers has no
row, and when a new model is not classified at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from koban.audit.models import AuditEvent
from koban.rosters.models import PatrolCar
from tests.accounts.matrix_attachments import ATTACHMENT_MARK, new_photo
from tests.accounts.matrix_community import CONTACT_MARK, MEMBER_MARK, VOLUNTEER_SUSPECT_MARK
from tests.accounts.matrix_world import (
    ACTION_MARK,
    ALERT_MARK,
    CALLER_MARK,
    CARD_MARK,
    CUSTODY_MARK,
    FINDER_MARK,
    HANDOVER_MARK,
    HOUSEHOLD_MARK,
    INCIDENT_MARK,
    ITEM_MARK,
    LEAVE_MARK,
    MATTER_MARK,
    NOW,
    PATROL_MARK,
    REPORT_MARK,
    REPORTER_MARK,
    SUBSCRIPTION_MARK,
    SUSPECT_MARK,
    VISIT_CARD_MARK,
    VISIT_MARK,
    VOICE_MARK,
    World,
    build_world,
)
from tests.councils.world import CONTACT_MARK as COUNCIL_MARK

ROLES = [
    "officer",
    "officer@box",
    "officer@station",
    "officer@agency",
    "counsellor",
    "counsellor@station",
    "counsellor@agency",
    "chief",
    "chief@station",
    "chief@agency",
    "planner",
    "planner@agency",
    "admin",
    "admin@agency",
    "superuser",
    "volunteer",
    "volunteer@group",
    "partner",
    "partner@other",
    "anonymous",
]
SIGNED_IN = frozenset(ROLES) - {"anonymous"}


def who(*roles: str) -> frozenset[str]:
    """An audience; the superuser (an administrator of every agency) belongs to all of them."""
    return frozenset(roles) | {"superuser"}


# Box A's own people: its officer and counsellor, its chief, HQ of its agency.
OWN = who("officer", "counsellor", "chief", "planner", "admin")
POLICE_OWN = OWN - {"counsellor"}
# Station-wide reads (lost & found masked, rosters): box A's people and the officer of box B.
STATION = OWN | {"officer@box"}
ROSTER_MANAGERS = who("chief", "planner", "admin")
ROSTER_NOTE = ROSTER_MANAGERS | {"officer"}
# The incident of box C that box A's units were sent to: box C's people, box A's, both chiefs, HQ.
BACKUP = who(
    "officer",
    "counsellor",
    "chief",
    "officer@station",
    "counsellor@station",
    "chief@station",
    "planner",
    "admin",
)
BACKUP_POLICE = BACKUP - {"counsellor", "counsellor@station"}
NETWORK = who("planner", "admin")
NETWORK_ANY = NETWORK | {"planner@agency", "admin@agency"}
ADMIN_STAFF = frozenset({"planner", "planner@agency", "admin", "admin@agency"})
# Residents' requests: read by box A's people and HQ; contacts and decisions stay with the box and its chief.
VOICE_STAFF = frozenset({"officer", "counsellor", "chief"})
VOICE_POLICE = frozenset({"officer", "chief"})
ANONYMOUS = {"page": (302,), "admin": (302,), "api": (401, 403)}
# The household registry is read by those who visit: box A's officer and its chief. Not counsellors,
# not HQ, not the superuser (HQ reads coverage figures only).
VISITORS = frozenset({"officer", "chief"})
# Visit cards are opened by the officers of the household's box only (and the box's card custodian, of
# whom the world has none); box A's chief reviews them and opens one only with a recorded reason. Not
# counsellors, HQ, administrators or the superuser (koban/accounts/access/visitcards.py).
CARD_OFFICER = frozenset({"officer"})
CARD_REVIEWER = frozenset({"chief"})
# The handover log (引継簿) of box A: its officer and the station chief; nobody else (not the superuser).
HANDOVER = frozenset({"officer", "chief"})
HANDOVER_MODELS = ("rosters.handoverentry", "rosters.handoveracknowledgement")
REFUSED = {"page": 404, "api": 404, "admin": 302}

# The partner working with station North: its staff, the police of the station and HQ of the agency.
PARTNER_READERS = who("officer", "officer@box", "counsellor", "chief", "planner", "admin", "partner")
# The volunteer group of box A (linked to that partner): the same, and its own volunteer.
GROUP_READERS = PARTNER_READERS | {"volunteer"}
# Suspicious persons seen by the group: the police and the group itself, not counsellors or partners.
GROUP_SUSPECT = GROUP_READERS - {"counsellor", "partner"}
# Who records the group's patrols: its volunteer, the police of its box (joint patrols), its chief, HQ.
GROUP_RECORDERS = who("officer", "chief", "planner", "admin", "volunteer")

Url = Callable[[World], str]


@dataclass(frozen=True)
class Row:
    models: tuple[str, ...]
    front: str
    action: str
    url: Url
    found: frozenset[str]
    allowed: frozenset[str] | None = None
    method: str = "get"
    ok: tuple[int, ...] = (200,)
    data: Callable[[World], dict[str, Any]] | None = None
    mark: str | Callable[[World], str] | None = None
    shows: frozenset[str] | None = None
    refused: int | None = None
    special: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.front}-{self.models[0].split('.')[1]}-{self.action}"

    def expected(self, role: str) -> tuple[int, ...]:
        if role in self.special:
            return (self.special[role],)
        if role == "anonymous":
            return ANONYMOUS[self.front]
        if role in (self.allowed if self.allowed is not None else self.found):
            return self.ok
        if role in self.found:
            return (403,)
        return (self.refused or REFUSED[self.front],)


def _car(w: World) -> int:
    """Box A's patrol car (made inside each role's rolled-back request)."""
    return PatrolCar.objects.get_or_create(box=w.cast.box_a, call_sign="A-PC")[0].pk


def _incident(w: World) -> int:
    return w.incident.pk


INCIDENT = ("incidents.incident", "incidents.incidentevent", "incidents.dispatch")
ITEM = ("lostfound.founditem",)
ATTACHMENT = ("attachments.attachment",)
COUNCIL = ("councils.council", "councils.councilmember")
ALERT = ("alerts.alert", "alerts.alertinfo", "alerts.alertarea")
VOICE = ("voice.request",)
VOICE_ACTION = ("voice.action",)
ROUTE = {"type": "LineString", "coordinates": [[139.701, 35.602], [139.704, 35.602]]}

ROWS: list[Row] = [
    # -- Incidents, dispatch and the box dashboard ------------------------------------------------
    Row(INCIDENT, "page", "list", lambda w: "/incidents/", SIGNED_IN, mark=INCIDENT_MARK, shows=OWN),
    Row(
        INCIDENT,
        "page",
        "export-list",
        lambda w: "/incidents/export/?format=csv",
        SIGNED_IN,
        mark=INCIDENT_MARK,
        shows=OWN,
    ),
    Row(INCIDENT, "page", "read", lambda w: f"/incidents/{_incident(w)}/", OWN, mark=INCIDENT_MARK),
    # The caller's name: unmasked for those who act on the incident, masked for the box's counsellor.
    Row(
        INCIDENT,
        "page",
        "read-caller",
        lambda w: f"/incidents/{_incident(w)}/",
        OWN,
        mark=CALLER_MARK,
        shows=POLICE_OWN,
    ),
    Row(
        INCIDENT,
        "page",
        "note",
        lambda w: f"/incidents/{_incident(w)}/note/",
        OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"note": "Owner called back"},
    ),
    Row(
        INCIDENT,
        "page",
        "cancel",
        lambda w: f"/incidents/{_incident(w)}/cancel/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"note": "Duplicate call"},
    ),
    Row(
        INCIDENT,
        "page",
        "arrive-backup",
        lambda w: f"/incidents/{w.backup_incident.pk}/arrive/",
        BACKUP,
        BACKUP_POLICE,
        method="post",
        ok=(302,),
        data=lambda w: {},
    ),
    Row(INCIDENT, "api", "list", lambda w: "/api/v1/incidents/", SIGNED_IN, mark=INCIDENT_MARK, shows=OWN),
    Row(INCIDENT, "api", "read", lambda w: f"/api/v1/incidents/{_incident(w)}/", OWN, mark=INCIDENT_MARK),
    Row(
        INCIDENT,
        "api",
        "read-caller",
        lambda w: f"/api/v1/incidents/{_incident(w)}/",
        OWN,
        mark=CALLER_MARK,
        shows=POLICE_OWN,
    ),
    Row(
        INCIDENT,
        "api",
        "note",
        lambda w: f"/api/v1/incidents/{_incident(w)}/note/",
        OWN,
        method="post",
        data=lambda w: {"note": "Owner called back"},
    ),
    Row(
        INCIDENT,
        "api",
        "dispatch",
        lambda w: f"/api/v1/incidents/{_incident(w)}/dispatch/",
        OWN,
        POLICE_OWN,
        method="post",
        # Box A's units without names: officer A is busy on the backup incident (equally urgent).
        data=lambda w: {"box": w.cast.box_a.pk},
    ),
    # Box A's officer sends box B's officer (same station) as backup to box A's incident.
    Row(
        INCIDENT,
        "api",
        "dispatch-backup",
        lambda w: f"/api/v1/incidents/{_incident(w)}/dispatch/",
        OWN,
        POLICE_OWN,
        method="post",
        data=lambda w: {"officers": [w.cast.officer_b.pk]},
    ),
    # Who could go, with the crews of the station's patrol cars.
    Row(
        (*INCIDENT, "rosters.crewassignment"),
        "api",
        "suggestions",
        lambda w: f"/api/v1/incidents/{_incident(w)}/suggestions/",
        OWN,
        POLICE_OWN,
    ),
    Row(
        INCIDENT,
        "api",
        "cancel",
        lambda w: f"/api/v1/incidents/{_incident(w)}/cancel/",
        OWN,
        POLICE_OWN,
        method="post",
        data=lambda w: {"note": "Duplicate call"},
    ),
    Row(
        INCIDENT,
        "api",
        "arrive-backup",
        lambda w: f"/api/v1/incidents/{w.backup_incident.pk}/arrive/",
        BACKUP,
        BACKUP_POLICE,
        method="post",
        data=lambda w: {},
    ),
    Row(
        INCIDENT,
        "api",
        "clear",
        lambda w: f"/api/v1/incidents/{_incident(w)}/clear/",
        OWN,
        POLICE_OWN,
        method="post",
        data=lambda w: {"note": "Settled at the scene"},
    ),
    Row(
        INCIDENT,
        "api",
        "correct",
        lambda w: f"/api/v1/incidents/{_incident(w)}/",
        OWN,
        POLICE_OWN,
        method="patch",
        data=lambda w: {"description": "Bicycle taken from the rack", "reason": "Caller corrected"},
    ),
    Row(
        # The incident is still open: who may reopen gets past the gate and is told it is not closed.
        INCIDENT,
        "api",
        "reopen",
        lambda w: f"/api/v1/incidents/{_incident(w)}/reopen/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(400,),
        data=lambda w: {"note": "The caller rang again"},
    ),
    Row(
        INCIDENT,
        "page",
        "correct",
        lambda w: f"/incidents/{_incident(w)}/correct/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(302,),
        data=lambda w: {
            "category": w.incident.category.code,
            "priority": w.incident.priority,
            "description": "Bicycle taken from the rack",
            "reason": "Caller corrected",
        },
    ),
    Row(
        INCIDENT,
        "api",
        "suggestions",
        lambda w: f"/api/v1/incidents/{_incident(w)}/suggestions/",
        OWN,
        POLICE_OWN,
    ),
    Row(
        INCIDENT,
        "api",
        "create-outside-for-agency",
        lambda w: "/api/v1/incidents/",
        who("planner@agency", "admin@agency", "officer@agency", "counsellor@agency", "chief@agency"),
        method="post",
        ok=(201,),
        refused=400,
        data=lambda w: {
            "category": "theft",
            "lat": 34.0,
            "lon": 131.0,
            "agency": w.box_x.station.agency.code,
        },
    ),
    Row(INCIDENT, "page", "dashboard", lambda w: f"/boxes/{w.cast.box_a.pk}/dashboard/", OWN),
    Row(
        INCIDENT,
        "page",
        "export-points",
        lambda w: f"/boxes/{w.cast.box_a.pk}/dashboard/incidents.geojson",
        OWN,
    ),
    Row(INCIDENT, "page", "export-briefing", lambda w: f"/boxes/{w.cast.box_a.pk}/briefing.pdf?lang=en", OWN),
    # -- Attachments: read by the record's readers, added and removed by those who work on it ----
    Row(ATTACHMENT, "page", "read-file", lambda w: f"/attachments/{w.attachments.incident_photo.pk}/", OWN),
    Row(
        ATTACHMENT,
        "page",
        "read-thumbnail",
        lambda w: f"/attachments/{w.attachments.item_photo.pk}/thumbnail/",
        STATION,
    ),
    Row(
        ATTACHMENT,
        "api",
        "read",
        lambda w: f"/api/v1/attachments/{w.attachments.incident_photo.pk}/",
        OWN,
        mark=ATTACHMENT_MARK,
    ),
    Row(
        ATTACHMENT,
        "page",
        "upload-incident",
        lambda w: f"/attachments/incident/{_incident(w)}/",
        OWN,
        method="post",
        ok=(302,),
        data=new_photo,
    ),
    Row(
        ATTACHMENT,
        "page",
        "upload-item",
        lambda w: f"/attachments/item/{w.item.pk}/",
        STATION,
        OWN,
        method="post",
        ok=(302,),
        data=new_photo,
    ),
    Row(
        ATTACHMENT,
        "api",
        "delete",
        lambda w: f"/api/v1/attachments/{w.attachments.item_photo.pk}/",
        STATION,
        OWN,
        method="delete",
        ok=(204,),
    ),
    Row(
        ("attachments.recordlink",),
        "page",
        "link",
        lambda w: f"/attachments/links/incident/{_incident(w)}/",
        OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"other": "item", "other_id": str(w.item.pk)},
    ),
    # -- Lost property --------------------------------------------------------------------------
    Row(ITEM, "page", "list", lambda w: "/lost-found/", SIGNED_IN, mark=ITEM_MARK, shows=STATION),
    Row(
        ITEM,
        "page",
        "export-list",
        lambda w: "/lost-found/export/?format=csv",
        SIGNED_IN,
        mark=ITEM_MARK,
        shows=STATION,
    ),
    # Finders' names are exported only to those who see them on the item's page.
    Row(
        ITEM,
        "page",
        "export-finders",
        lambda w: "/lost-found/export/?format=csv",
        SIGNED_IN,
        mark=FINDER_MARK,
        shows=OWN,
    ),
    Row(
        ITEM,
        "page",
        "read",
        lambda w: f"/lost-found/items/{w.item.pk}/",
        STATION,
        mark=FINDER_MARK,
        shows=OWN,
    ),
    Row(
        ITEM,
        "page",
        "export-receipt",
        lambda w: f"/lost-found/items/{w.item.pk}/receipt/",
        STATION,
        OWN,
        mark=FINDER_MARK,
    ),
    Row(
        ("lostfound.handover",),
        "page",
        "handover",
        lambda w: f"/lost-found/items/{w.item.pk}/handover/",
        STATION,
        OWN,
    ),
    Row(
        ITEM,
        "page",
        "dispose",
        lambda w: f"/lost-found/items/{w.item.pk}/dispose/",
        STATION,
        POLICE_OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"note": "Sold"},
    ),
    Row(ITEM, "api", "list", lambda w: "/api/v1/lost-found/items/", SIGNED_IN, mark=ITEM_MARK, shows=STATION),
    Row(
        ITEM,
        "api",
        "read",
        lambda w: f"/api/v1/lost-found/items/{w.item.pk}/",
        STATION,
        mark=FINDER_MARK,
        shows=OWN,
    ),
    Row(
        ITEM,
        "api",
        "create",
        lambda w: "/api/v1/lost-found/items/",
        STATION,
        OWN,
        method="post",
        ok=(201,),
        data=lambda w: {
            "box": w.cast.box_a.pk,
            "category": "keys",
            "description": "keys",
            "found_at": "2026-03-02T08:00:00+09:00",
            "found_place": "station",
            "handed_in_at": "2026-03-02T09:00:00+09:00",
        },
    ),
    Row(
        ("lostfound.handover",),
        "api",
        "handover",
        lambda w: f"/api/v1/lost-found/items/{w.item.pk}/handover/",
        STATION,
        OWN,
        method="post",
        ok=(400,),
        data=lambda w: {},
    ),
    Row(
        ("lostfound.lossreport",),
        "page",
        "read",
        lambda w: f"/lost-found/reports/{w.report.pk}/",
        STATION,
        mark=REPORT_MARK,
    ),
    Row(
        ("lostfound.lossreport",),
        "api",
        "list",
        lambda w: "/api/v1/lost-found/reports/",
        SIGNED_IN,
        mark=REPORT_MARK,
        shows=STATION,
    ),
    Row(
        ("lostfound.lossreport",),
        "api",
        "read",
        lambda w: f"/api/v1/lost-found/reports/{w.report.pk}/",
        STATION,
        mark=REPORT_MARK,
    ),
    # The public notice (items_on_public_notice): anyone, signed in or not, and never the finder.
    Row(
        ITEM,
        "page",
        "notice",
        lambda w: "/lost-found/notices/",
        SIGNED_IN,
        mark=FINDER_MARK,
        shows=frozenset(),
        special={"anonymous": 200},
    ),
    # Matching reaches the found items of the whole agency (items_matchable_by), never another's.
    Row(
        ("lostfound.lossreport",),
        "api",
        "matches",
        lambda w: f"/api/v1/lost-found/reports/{w.report.pk}/matches/",
        STATION,
        mark=lambda w: w.item.receipt_number,
    ),
    Row(
        ("lostfound.itemtask",),
        "page",
        "done",
        lambda w: f"/lost-found/tasks/{w.task.pk}/done/",
        OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"note": "Called the finder"},
    ),
    Row(("lostfound.itemtask",), "api", "read", lambda w: f"/api/v1/lost-found/tasks/{w.task.pk}/", OWN),
    Row(
        ("lostfound.itemtask",),
        "api",
        "complete",
        lambda w: f"/api/v1/lost-found/tasks/{w.task.pk}/complete/",
        OWN,
        method="post",
        data=lambda w: {"note": "Called the finder"},
    ),
    Row(
        ITEM,
        "api",
        "transfer",
        lambda w: f"/api/v1/lost-found/items/{w.item.pk}/transfer/",
        STATION,
        OWN,
        method="post",
        data=lambda w: {"storage_location": "Station safe 2"},
    ),
    # Storage history, the personal-data flag, the sale (custody verbs) and the confirmed match.
    Row(
        ("lostfound.storagemove",),
        "page",
        "storage",
        lambda w: f"/lost-found/items/{w.item.pk}/storage/",
        STATION,
        OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"storage_location": "Shelf 9"},
    ),
    Row(
        ("lostfound.storagemove",),
        "api",
        "storage",
        lambda w: f"/api/v1/lost-found/items/{w.item.pk}/storage/",
        STATION,
        OWN,
        method="post",
        data=lambda w: {"storage_location": "Shelf 9"},
    ),
    Row(
        ITEM,
        "page",
        "personal-data",
        lambda w: f"/lost-found/items/{w.item.pk}/personal-data/",
        STATION,
        OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"inside": "on", "personal_data_note": "Driving licence"},
    ),
    Row(
        ITEM,
        "api",
        "personal-data",
        lambda w: f"/api/v1/lost-found/items/{w.item.pk}/personal-data/",
        STATION,
        OWN,
        method="post",
        data=lambda w: {"inside": True, "personal_data_note": "Driving licence"},
    ),
    Row(
        ITEM,
        "page",
        "sell",
        lambda w: f"/lost-found/items/{w.item.pk}/sell/",
        STATION,
        POLICE_OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"proceeds": "800", "perishable": "on", "note": "Would rot"},
    ),
    Row(
        ITEM,
        "api",
        "sell",
        lambda w: f"/api/v1/lost-found/items/{w.item.pk}/sell/",
        STATION,
        POLICE_OWN,
        method="post",
        data=lambda w: {"proceeds": 800, "perishable": True, "note": "Would rot"},
    ),
    Row(
        ("lostfound.lossreport",),
        "page",
        "confirm-match",
        lambda w: f"/lost-found/reports/{w.report.pk}/confirm/",
        STATION,
        OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"item": w.item.pk},
    ),
    Row(
        ("lostfound.lossreport",),
        "api",
        "confirm-match",
        lambda w: f"/api/v1/lost-found/reports/{w.report.pk}/confirm/",
        STATION,
        OWN,
        method="post",
        data=lambda w: {"item": w.item.pk},
    ),
    Row(
        # The item is not the police's to dispose of yet: who may dispose is told why (400).
        ITEM,
        "api",
        "dispose",
        lambda w: f"/api/v1/lost-found/items/{w.item.pk}/dispose/",
        STATION,
        POLICE_OWN,
        method="post",
        ok=(400,),
        data=lambda w: {"note": "Sold"},
    ),
    Row(
        ("lostfound.lossreport",),
        "api",
        "close",
        lambda w: f"/api/v1/lost-found/reports/{w.report.pk}/close/",
        STATION,
        OWN,
        method="post",
        data=lambda w: {"note": "The owner found it at home"},
    ),
    # -- Patrols ----------------------------------------------------------------------------------
    Row(
        ("patrols.patrol",),
        "page",
        "export-list",
        lambda w: "/patrols/export/?format=csv",
        SIGNED_IN,
        mark=PATROL_MARK,
        shows=OWN,
    ),
    Row(
        ("patrols.patrol",),
        "page",
        "list",
        lambda w: "/patrols/",
        SIGNED_IN,
        mark=lambda w: f"/patrols/{w.patrol.pk}/",
        shows=OWN,
    ),
    Row(
        ("patrols.patrol", "patrols.patrolstop", "patrols.patrolcard"),
        "page",
        "read",
        lambda w: f"/patrols/{w.patrol.pk}/",
        OWN,
        mark=CARD_MARK,
    ),
    Row(
        ("patrols.observation",),
        "page",
        "read-suspect",
        lambda w: f"/patrols/{w.patrol.pk}/",
        OWN,
        mark=SUSPECT_MARK,
        shows=POLICE_OWN,
    ),
    Row(
        ("patrols.patrolcard",),
        "page",
        "create",
        lambda w: f"/patrols/{w.patrol.pk}/add/card/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(302,),
        data=lambda w: {"card-address": "Ekimae 2-3", "card-left_at": "2026-03-02T07:20"},
    ),
    Row(
        ("patrols.patrol",), "api", "list", lambda w: "/api/v1/patrols/", SIGNED_IN, mark=CARD_MARK, shows=OWN
    ),
    Row(
        ("patrols.observation",),
        "api",
        "read-suspect",
        lambda w: f"/api/v1/patrols/{w.patrol.pk}/",
        OWN,
        mark=SUSPECT_MARK,
        shows=POLICE_OWN,
    ),
    Row(
        ("patrols.patrol",),
        "api",
        "create",
        lambda w: "/api/v1/patrols/",
        STATION,
        POLICE_OWN,
        method="post",
        ok=(201,),
        data=lambda w: {
            "box": w.cast.box_a.pk,
            "officers": [w.cast.officer_a.pk],
            "route": ROUTE,
            "started_at": "2026-03-02T07:00:00+09:00",
            "ended_at": "2026-03-02T08:00:00+09:00",
        },
    ),
    # -- Household registry and visits --------------------------------------------------------------
    Row(
        ("households.household",),
        "page",
        "read",
        lambda w: f"/households/{w.household.pk}/",
        VISITORS,
        mark=HOUSEHOLD_MARK,
    ),
    Row(
        ("households.visit",),
        "page",
        "create",
        lambda w: f"/households/{w.household.pk}/visit/",
        VISITORS,
        method="post",
        ok=(302,),
        data=lambda w: {
            f"v{w.household.pk}-visited_at": "2026-03-02T09:00",
            f"v{w.household.pk}-outcome": "met",
        },
    ),
    Row(
        ("households.household",),
        "api",
        "list",
        lambda w: "/api/v1/households/",
        SIGNED_IN,
        mark=HOUSEHOLD_MARK,
        shows=VISITORS,
    ),
    Row(
        ("households.household",),
        "api",
        "read",
        lambda w: f"/api/v1/households/{w.household.pk}/",
        VISITORS,
        mark=HOUSEHOLD_MARK,
    ),
    Row(
        ("households.household",),
        "api",
        "create",
        lambda w: "/api/v1/households/",
        SIGNED_IN,
        VISITORS,
        method="post",
        ok=(201,),
        data=lambda w: {"lon": 139.703, "lat": 35.603, "address": "Ekimae 9-9"},
        # Officers of other boxes may add addresses, but not in box A's beat.
        special={
            "officer@box": 400,
            "officer@station": 400,
            "officer@agency": 400,
            "chief@station": 400,
            "chief@agency": 400,
        },
    ),
    Row(
        ("households.visit",),
        "api",
        "list",
        lambda w: f"/api/v1/households/{w.household.pk}/visits/",
        VISITORS,
        mark=VISIT_MARK,
    ),
    Row(
        ("households.visit",),
        "api",
        "create",
        lambda w: f"/api/v1/households/{w.household.pk}/visits/",
        VISITORS,
        method="post",
        ok=(201,),
        data=lambda w: {"visited_at": "2026-03-02T09:00:00+09:00", "outcome": "met", "topics": ["fraud"]},
    ),
    # -- Visit cards: contents for the beat's officers only; the chief with a recorded reason ------------
    Row(
        ("visitcards.visitcard", "visitcards.nametoken"),
        "page",
        "list",
        lambda w: "/visit-cards/",
        SIGNED_IN,
        method="post",
        data=lambda w: {"name": VISIT_CARD_MARK},
        mark=lambda w: f"/visit-cards/{w.visit_card.pk}/",
        shows=CARD_OFFICER,
    ),
    Row(
        ("visitcards.visitcard", "visitcards.consent"),
        "page",
        "read",
        lambda w: f"/visit-cards/{w.visit_card.pk}/",
        CARD_OFFICER,
        mark=VISIT_CARD_MARK,
        special={"chief": 302},
    ),
    Row(
        ("visitcards.visitcard",),
        "page",
        "edit",
        lambda w: f"/visit-cards/{w.visit_card.pk}/edit/",
        CARD_OFFICER,
        mark=VISIT_CARD_MARK,
    ),
    Row(
        ("visitcards.visitcard",),
        "page",
        "create",
        lambda w: "/visit-cards/new/",
        CARD_OFFICER,
        method="post",
        ok=(302,),
        data=lambda w: {
            "household": w.household.pk,
            "card_type": "household",
            "language": "ja",
            "member_0_name": "New member",
            "consent": "on",
        },
    ),
    Row(
        ("visitcards.consent",),
        "page",
        "withdraw",
        lambda w: f"/visit-cards/{w.visit_card.pk}/withdraw/",
        CARD_OFFICER,
        method="post",
        ok=(302,),
    ),
    Row(
        ("visitcards.accessgrant",),
        "page",
        "reason",
        lambda w: f"/visit-cards/{w.visit_card.pk}/reason/",
        CARD_REVIEWER,
        method="post",
        ok=(302,),
        data=lambda w: {"reason": "Lost elderly resident: call the family"},
    ),
    Row(
        ("visitcards.visitcard",),
        "page",
        "trail",
        lambda w: f"/visit-cards/{w.visit_card.pk}/trail/",
        CARD_REVIEWER,
    ),
    Row(
        ("visitcards.visitcard",),
        "page",
        "export",
        lambda w: f"/visit-cards/households/{w.household.pk}/export.json",
        CARD_OFFICER,
        mark=VISIT_CARD_MARK,
    ),
    Row(
        ("visitcards.disastercheck", "visitcards.visitcard"),
        "page",
        "disaster",
        lambda w: f"/visit-cards/disaster/{w.disaster.pk}/",
        VISITORS,
        mark=VISIT_CARD_MARK,
        shows=CARD_OFFICER,
    ),
    Row(
        ("visitcards.safetycheck",),
        "page",
        "safety-check",
        lambda w: f"/visit-cards/disaster/{w.disaster.pk}/",
        VISITORS,
        method="post",
        ok=(302,),
        data=lambda w: {"card": w.visit_card.pk, "status": "safe"},
        # The chief follows the check but may not open the card: refused like an unknown household.
        special={"chief": 400},
    ),
    Row(
        ("visitcards.visitcard",),
        "api",
        "list",
        lambda w: "/api/v1/visit-cards/",
        SIGNED_IN,
        mark=VISIT_CARD_MARK,
        shows=frozenset(),
    ),
    Row(
        ("visitcards.visitcard",),
        "api",
        "read",
        lambda w: f"/api/v1/visit-cards/{w.visit_card.pk}/",
        CARD_OFFICER,
        mark=VISIT_CARD_MARK,
    ),
    Row(
        ("visitcards.visitcard",),
        "api",
        "create",
        lambda w: "/api/v1/visit-cards/",
        CARD_OFFICER,
        method="post",
        ok=(201,),
        data=lambda w: {
            "household": w.household.pk,
            "card_type": "household",
            "contents": {"members": [{"name": "New member"}]},
            "consent_scopes": ["keep"],
        },
    ),
    Row(
        ("visitcards.visitcard",),
        "api",
        "update",
        lambda w: f"/api/v1/visit-cards/{w.visit_card.pk}/",
        CARD_OFFICER,
        method="put",
        data=lambda w: {
            "version": 1,
            "card_type": "household",
            "contents": {"members": [{"name": "Renamed"}]},
        },
    ),
    Row(
        ("visitcards.consent",),
        "api",
        "withdraw",
        lambda w: f"/api/v1/visit-cards/{w.visit_card.pk}/withdraw/",
        CARD_OFFICER,
        method="post",
    ),
    # -- Counter log and protective custody -------------------------------------------------------
    Row(
        ("counter.countermatter",),
        "page",
        "search-list",
        lambda w: "/counter/matters/",
        SIGNED_IN,
        mark=MATTER_MARK,
        shows=OWN,
    ),
    Row(
        ("counter.countermatter",),
        "page",
        "export-list",
        lambda w: "/counter/matters/export/?format=csv",
        SIGNED_IN,
        mark=CUSTODY_MARK,
        shows=OWN,
    ),
    Row(
        ("counter.countermatter",),
        "page",
        "list",
        lambda w: f"/counter/boxes/{w.cast.box_a.pk}/",
        OWN,
        mark=MATTER_MARK,
    ),
    Row(
        ("counter.countermatter",),
        "page",
        "create",
        lambda w: f"/counter/boxes/{w.cast.box_a.pk}/",
        OWN,
        method="post",
        ok=(400,),
        data=lambda w: {"channel": "walk_in"},
    ),
    Row(
        ("counter.countermatter",),
        "page",
        "change",
        lambda w: f"/counter/matters/{w.matter.pk}/edit/",
        OWN,
        mark=CUSTODY_MARK,
    ),
    Row(
        ("counter.countermatter",),
        "api",
        "list",
        lambda w: "/api/v1/counter-matters/",
        SIGNED_IN,
        mark=MATTER_MARK,
        shows=OWN,
    ),
    Row(
        ("counter.countermatter",),
        "api",
        "read",
        lambda w: f"/api/v1/counter-matters/{w.matter.pk}/",
        OWN,
        mark=CUSTODY_MARK,
    ),
    Row(
        ("counter.countermatter",),
        "api",
        "change",
        lambda w: f"/api/v1/counter-matters/{w.matter.pk}/",
        OWN,
        method="patch",
        data=lambda w: {"outcome_note": "Parents came"},
    ),
    # -- Rosters, leave and duty records ----------------------------------------------------------
    Row(
        ("rosters.rosterentry",),
        "page",
        "read",
        lambda w: f"/rosters/boxes/{w.cast.box_a.pk}/2026/3/",
        STATION,
        mark=LEAVE_MARK,
        shows=ROSTER_NOTE,
    ),
    Row(
        ("rosters.rosterentry",),
        "page",
        "swap",
        lambda w: f"/rosters/entries/{w.duty.pk}/swap/",
        STATION,
        ROSTER_MANAGERS,
    ),
    Row(
        ("rosters.rosterentry",),
        "api",
        "read",
        lambda w: f"/api/v1/roster-entries/{w.leave.pk}/",
        STATION,
        mark=LEAVE_MARK,
        shows=ROSTER_NOTE,
    ),
    Row(
        ("rosters.rosterentry",),
        "api",
        "swap",
        lambda w: "/api/v1/roster-entries/swap/",
        STATION,
        ROSTER_MANAGERS,
        method="post",
        data=lambda w: {"entry": w.duty.pk, "to_officer": w.cast.officer_b.pk},
    ),
    Row(
        ("rosters.dutyrecord",),
        "api",
        "read",
        lambda w: f"/api/v1/duty-records/{w.duty_record.pk}/",
        STATION,
        mark=LEAVE_MARK,
        shows=ROSTER_NOTE,
    ),
    Row(
        ("rosters.dutyrecord",),
        "api",
        "create",
        lambda w: "/api/v1/duty-records/",
        STATION,
        who("officer", "chief", "planner", "admin"),
        method="post",
        ok=(201,),
        refused=400,
        data=lambda w: {
            "box": w.cast.box_a.pk,
            "officer": w.cast.officer_a.pk,
            "signed_on_at": "2026-03-02T09:00:00+09:00",
        },
    ),
    Row(
        ("rosters.crewassignment",),
        "api",
        "assign-crew",
        lambda w: f"/api/v1/patrol-cars/{_car(w)}/crew/",
        STATION,
        ROSTER_MANAGERS,
        method="post",
        data=lambda w: {
            "officers": [w.cast.officer_a.pk],
            "start": NOW.isoformat(),
            "end": (NOW + datetime.timedelta(hours=8)).isoformat(),
        },
    ),
    Row(
        ("rosters.boxshiftplan", "rosters.planmember"),
        "api",
        "read",
        lambda w: f"/api/v1/shift-plans/{w.plan.pk}/",
        STATION,
    ),
    # -- Presence: sign-on, outings, leave requests, counter cover ---------------------------------
    Row(
        ("rosters.dutyrecord",),
        "page",
        "sign-on",
        lambda w: f"/rosters/boxes/{w.cast.box_a.pk}/sign-on/",
        STATION,
        who("officer", "chief", "planner", "admin"),
        method="post",
        ok=(302,),
        data=lambda w: {"confirm_outside_shift": "1"},
    ),
    Row(("rosters.outing",), "api", "read", lambda w: f"/api/v1/outings/{w.outing.pk}/", STATION),
    Row(
        ("rosters.outing",),
        "api",
        "back",
        lambda w: f"/api/v1/outings/{w.outing.pk}/back/",
        STATION,
        who("officer", "chief", "planner", "admin"),
        method="post",
    ),
    Row(
        ("rosters.outing",),
        "page",
        "back",
        lambda w: f"/rosters/outings/{w.outing.pk}/back/",
        STATION,
        who("officer", "chief", "planner", "admin"),
        method="post",
        ok=(302,),
    ),
    Row(
        ("rosters.leaverequest",),
        "api",
        "read",
        lambda w: f"/api/v1/leave-requests/{w.leave_request.pk}/",
        ROSTER_NOTE,
        mark=LEAVE_MARK,
    ),
    Row(
        ("rosters.leaverequest",),
        "api",
        "approve",
        lambda w: f"/api/v1/leave-requests/{w.leave_request.pk}/approve/",
        ROSTER_NOTE,
        ROSTER_MANAGERS,
        method="post",
    ),
    Row(
        ("rosters.leaverequest",),
        "page",
        "decide",
        lambda w: f"/rosters/leave-requests/{w.leave_request.pk}/decide/",
        ROSTER_NOTE,
        ROSTER_MANAGERS,
        method="post",
        ok=(302,),
        data=lambda w: {"decision": "approve"},
    ),
    Row(
        ("rosters.leaverequest",),
        "page",
        "withdraw",
        lambda w: f"/rosters/leave-requests/{w.leave_request.pk}/withdraw/",
        ROSTER_NOTE,
        who("officer") - {"superuser"},
        method="post",
        ok=(302,),
    ),
    Row(
        ("rosters.rosterentry",),
        "page",
        "cover",
        lambda w: f"/rosters/boxes/{w.cast.box_a.pk}/cover/",
        STATION,
        who("officer", "chief", "planner", "admin"),
    ),
    # -- Shift handover log: box A's officer and its chief; the officer acknowledges ---------------------
    Row(
        HANDOVER_MODELS,
        "page",
        "log",
        lambda w: f"/rosters/boxes/{w.cast.box_a.pk}/handover/",
        HANDOVER,
        mark=HANDOVER_MARK,
    ),
    Row(
        HANDOVER_MODELS,
        "page",
        "acknowledge",
        lambda w: f"/rosters/handover/{w.handover.pk}/acknowledge/",
        HANDOVER,
        frozenset({"officer"}),
        method="post",
        ok=(302,),
    ),
    Row(
        HANDOVER_MODELS,
        "api",
        "list",
        lambda w: "/api/v1/handover-entries/",
        SIGNED_IN,
        mark=HANDOVER_MARK,
        shows=HANDOVER,
    ),
    Row(
        HANDOVER_MODELS,
        "api",
        "read",
        lambda w: f"/api/v1/handover-entries/{w.handover.pk}/",
        HANDOVER,
        mark=HANDOVER_MARK,
    ),
    Row(
        HANDOVER_MODELS,
        "api",
        "write",
        lambda w: "/api/v1/handover-entries/",
        HANDOVER,
        method="post",
        ok=(201,),
        data=lambda w: {"box": w.cast.box_a.pk, "text": "Call back the owner of the bicycle"},
    ),
    Row(
        HANDOVER_MODELS,
        "api",
        "acknowledge",
        lambda w: f"/api/v1/handover-entries/{w.handover.pk}/acknowledge/",
        HANDOVER,
        frozenset({"officer"}),
        method="post",
    ),
    # -- Alerts: drafts are read by the station's staff and HQ, approved by the chief or HQ ------------
    Row(ALERT, "page", "list", lambda w: "/alerts/", SIGNED_IN, mark=ALERT_MARK, shows=STATION),
    Row(ALERT, "page", "read", lambda w: f"/alerts/{w.alert.pk}/", STATION, mark=ALERT_MARK),
    Row(("alerts.delivery",), "page", "progress", lambda w: f"/alerts/{w.alert.pk}/progress/", STATION),
    Row(
        ALERT,
        "page",
        "approve",
        lambda w: f"/alerts/{w.alert.pk}/approve/",
        STATION,
        who("chief", "planner", "admin"),
        method="post",
        ok=(302,),
    ),
    Row(
        ("alerts.subscription", "alerts.subscriptionarea"),
        "page",
        "list",
        lambda w: "/alerts/subscriptions/",
        SIGNED_IN,
        mark=SUBSCRIPTION_MARK,
        shows=frozenset({"officer"}),
    ),
    # -- The police network in the admin (HQ of its own agency only) -------------------------------
    Row(
        ("organization.policebox",),
        "admin",
        "change",
        lambda w: f"/admin/organization/policebox/{w.cast.box_a.pk}/change/",
        NETWORK,
    ),
    Row(
        ("organization.policestation",),
        "admin",
        "change",
        lambda w: f"/admin/organization/policestation/{w.cast.north.pk}/change/",
        NETWORK,
    ),
    Row(
        ("organization.agency",),
        "admin",
        "change",
        lambda w: f"/admin/organization/agency/{w.cast.agency.pk}/change/",
        NETWORK,
    ),
    Row(
        ("geography.beatversion",),
        "admin",
        "change",
        lambda w: f"/admin/geography/beatversion/{w.cast.version.pk}/change/",
        NETWORK,
    ),
    Row(
        ("geography.beat",),
        "admin",
        "change",
        lambda w: f"/admin/geography/beat/{w.cast.beat_a.pk}/change/",
        NETWORK,
    ),
    Row(
        ("organization.policebox",),
        "admin",
        "import",
        lambda w: "/admin/organization/policebox/import/",
        NETWORK_ANY,
        mark=lambda w: f'<option value="{w.cast.agency.pk}"',
        shows=NETWORK,
    ),
    # -- Liaison councils (members' names and contacts) -------------------------------------------------
    Row(COUNCIL, "page", "read", lambda w: f"/councils/{w.councils.council.pk}/", OWN, mark=COUNCIL_MARK),
    Row(
        COUNCIL,
        "page",
        "list",
        lambda w: "/councils/",
        SIGNED_IN,
        mark=lambda w: f"/councils/{w.councils.council.pk}/",
        shows=OWN,
    ),
    Row(
        ("councils.councilmember",),
        "page",
        "create",
        lambda w: f"/councils/{w.councils.council.pk}/members/new/",
        OWN,
        who("chief", "planner", "admin"),
    ),
    Row(
        ("councils.meeting",),
        "page",
        "create",
        lambda w: f"/councils/{w.councils.council.pk}/meetings/new/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(400,),
        data=lambda w: {"status": "held"},
    ),
    Row(
        ("councils.meeting", "councils.opinion"),
        "page",
        "read",
        lambda w: f"/councils/meetings/{w.councils.last_meeting.pk}/",
        OWN,
        mark=lambda w: w.councils.opinion.summary,
    ),
    Row(
        ("councils.opinion",),
        "page",
        "create",
        lambda w: f"/councils/meetings/{w.councils.last_meeting.pk}/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(400,),
        data=lambda w: {"opinion-category": "noise"},
    ),
    Row(
        ("councils.councilmember",),
        "api",
        "list",
        lambda w: "/api/v1/council-members/",
        SIGNED_IN,
        mark=COUNCIL_MARK,
        shows=OWN,
    ),
    Row(
        ("councils.councilmember",),
        "api",
        "read",
        lambda w: f"/api/v1/council-members/{w.councils.chair.pk}/",
        OWN,
        mark=COUNCIL_MARK,
    ),
    Row(
        ("councils.councilmember",),
        "api",
        "renew",
        lambda w: f"/api/v1/council-members/{w.councils.chair.pk}/renew/",
        OWN,
        who("chief", "planner", "admin"),
        method="post",
        ok=(201,),
        data=lambda w: {},
    ),
    Row(
        ("councils.meeting",),
        "api",
        "read",
        lambda w: f"/api/v1/council-meetings/{w.councils.last_meeting.pk}/",
        OWN,
        mark=lambda w: w.councils.opinion.summary,
    ),
    Row(
        ("councils.opinion",),
        "api",
        "create",
        lambda w: f"/api/v1/council-meetings/{w.councils.last_meeting.pk}/opinions/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(400,),
        data=lambda w: {},
    ),
    Row(
        ("councils.council",),
        "page",
        "summary",
        lambda w: f"/councils/stations/{w.cast.north.pk}/summary/",
        who("officer", "officer@box", "counsellor", "chief", "planner", "admin"),
    ),
    # -- Residents' requests and action items -----------------------------------------------------
    Row(VOICE, "page", "list", lambda w: "/voice/", SIGNED_IN, mark=VOICE_MARK, shows=OWN),
    Row(
        VOICE,
        "page",
        "read",
        lambda w: f"/voice/requests/{w.voice_request.pk}/",
        OWN,
        mark=REPORTER_MARK,
        shows=VOICE_STAFF,
    ),
    Row(
        VOICE,
        "page",
        "status",
        lambda w: f"/voice/requests/{w.voice_request.pk}/status/",
        OWN,
        VOICE_POLICE,
        method="post",
        ok=(302,),
        data=lambda w: {"status": "under_review", "note": "Looking into it"},
    ),
    Row(
        VOICE,
        "page",
        "moderate",
        lambda w: f"/voice/requests/{w.voice_request.pk}/moderate/",
        OWN,
        VOICE_POLICE,
        method="post",
        ok=(302,),
        data=lambda w: {"decision": "approved"},
    ),
    Row(
        VOICE_ACTION,
        "page",
        "create",
        lambda w: f"/voice/requests/{w.voice_request.pk}/action/",
        OWN,
        VOICE_POLICE,
        method="post",
        ok=(302,),
        data=lambda w: {"kind": "visit", "title": "Visit the street", "due_on": "2026-03-20"},
    ),
    Row(VOICE_ACTION, "page", "list", lambda w: "/voice/actions/", SIGNED_IN, mark=ACTION_MARK, shows=OWN),
    Row(
        VOICE_ACTION, "page", "read", lambda w: f"/voice/actions/{w.voice_action.pk}/", OWN, mark=ACTION_MARK
    ),
    Row(
        VOICE_ACTION,
        "page",
        "complete",
        lambda w: f"/voice/actions/{w.voice_action.pk}/complete/",
        OWN,
        VOICE_POLICE,
        method="post",
        ok=(302,),
        data=lambda w: {"result": "Visited, lamp reported"},
    ),
    # -- The box newsletter and the public box page --------------------------------------------------
    Row(
        ("newsletters.newsletter",),
        "page",
        "edit",
        lambda w: f"/newsletters/issues/{w.newsletter.pk}/edit/",
        OWN,
    ),
    Row(
        ("newsletters.newsletter",),
        "page",
        "publish",
        lambda w: f"/newsletters/issues/{w.newsletter.pk}/publish/",
        OWN,
        POLICE_OWN,
        method="post",
        ok=(302,),
    ),
    Row(
        # A draft is not public: its public page answers 404 to everyone.
        ("newsletters.newsletter",),
        "page",
        "public-draft",
        lambda w: f"/newsletters/issues/{w.newsletter.pk}/",
        frozenset(),
        special={"anonymous": 404},
    ),
    Row(
        ("newsletters.newsletter",),
        "page",
        "public-box",
        lambda w: f"/newsletters/boxes/{w.cast.box_a.pk}/",
        SIGNED_IN,
        mark=COUNCIL_MARK,
        shows=frozenset(),
        special={"anonymous": 200},
    ),
    # -- Printouts (PDF): the same readers as the pages they print ----------------------------------
    Row(
        ("rosters.rosterentry",),
        "page",
        "print",
        lambda w: f"/rosters/boxes/{w.cast.box_a.pk}/print/?month=2026-03",
        STATION,
    ),
    Row(
        ITEM,
        "page",
        "print-ledger",
        lambda w: f"/lost-found/ledger/items.pdf?box={w.cast.box_a.pk}&from=2026-01-01&to=2026-03-02",
        STATION,
    ),
    Row(
        ("lostfound.lossreport",),
        "page",
        "print-ledger",
        lambda w: f"/lost-found/ledger/reports.pdf?box={w.cast.box_a.pk}&from=2026-01-01&to=2026-03-02",
        STATION,
    ),
    Row(
        ("patrols.patrol",),
        "page",
        "print",
        lambda w: f"/patrols/{w.patrol.pk}/print/",
        OWN,
    ),
    Row(
        ("counter.countermatter",),
        "page",
        "print",
        lambda w: f"/counter/boxes/{w.cast.box_a.pk}/print/?day=2026-03-02",
        OWN,
    ),
    # -- People and the trail ---------------------------------------------------------------------
    Row(("runs.jobrun",), "page", "read", lambda w: f"/runs/{w.run.pk}/", NETWORK),
    Row(
        ("accounts.apitoken",),
        "page",
        "revoke",
        lambda w: f"/account/tokens/{w.token.pk}/revoke/",
        frozenset({"officer"}),
        method="post",
        ok=(302,),
    ),
    Row(
        ("accounts.user",),
        "admin",
        "change",
        lambda w: f"/admin/accounts/user/{w.cast.officer_a.pk}/change/",
        who("admin"),
        special={"planner": 403, "planner@agency": 403},
    ),
    Row(
        ("lostfound.founditem",),
        "admin",
        "read",
        lambda w: f"/admin/lostfound/founditem/{w.item.pk}/change/",
        who(),
        special=dict.fromkeys(ADMIN_STAFF, 403),
    ),
    Row(
        ("audit.auditevent",),
        "admin",
        "list",
        lambda w: "/admin/audit/auditevent/",
        who(),
        special=dict.fromkeys(ADMIN_STAFF, 403),
    ),
    # -- Partners, volunteer groups and their activity ----------------------------------------------
    Row(
        ("partners.partner", "partners.partneraccount", "partners.agreement", "partners.networkmeeting"),
        "api",
        "list",
        lambda w: "/api/v1/partners/",
        SIGNED_IN,
        mark=CONTACT_MARK,
        shows=PARTNER_READERS,
    ),
    Row(
        ("partners.partnercontact",),
        "api",
        "read",
        lambda w: f"/api/v1/partners/{w.community.partner.pk}/",
        GROUP_READERS,
        mark=CONTACT_MARK,
        shows=PARTNER_READERS,
    ),
    Row(
        ("volunteers.volunteergroup", "volunteers.volunteermember"),
        "api",
        "list",
        lambda w: "/api/v1/volunteer-groups/",
        SIGNED_IN,
        mark=MEMBER_MARK,
        shows=GROUP_READERS,
    ),
    Row(
        (
            "volunteers.volunteermember",
            "volunteers.bluelightcertification",
            "volunteers.certifiedpatroller",
            "volunteers.patrolvehicle",
        ),
        "api",
        "read",
        lambda w: f"/api/v1/volunteer-groups/{w.community.group.pk}/",
        GROUP_READERS,
        mark=MEMBER_MARK,
    ),
    Row(
        ("volunteers.volunteeractivity",),
        "api",
        "list",
        lambda w: "/api/v1/volunteer-activity/",
        SIGNED_IN,
        mark=VOLUNTEER_SUSPECT_MARK,
        shows=GROUP_SUSPECT,
    ),
    Row(
        ("volunteers.volunteeractivity",),
        "api",
        "create",
        lambda w: "/api/v1/volunteer-activity/",
        GROUP_READERS,
        GROUP_RECORDERS,
        method="post",
        ok=(201,),
        data=lambda w: {
            "group": w.community.group.pk,
            "kind": "foot_patrol",
            "participants": [w.community.member.pk],
            "route": ROUTE,
            "started_at": "2026-03-02T07:00:00+09:00",
            "ended_at": "2026-03-02T08:00:00+09:00",
        },
    ),
    Row(
        ("volunteers.activityobservation",),
        "api",
        "read-suspect",
        lambda w: f"/api/v1/volunteer-activity/{w.community.activity.pk}/",
        GROUP_READERS,
        mark=VOLUNTEER_SUSPECT_MARK,
        shows=GROUP_SUSPECT,
    ),
]

# Models whose records hold personal data or are acts of police powers: each needs rows above.
PROTECTED = {
    "accounts.apitoken",
    "attachments.attachment",
    "attachments.recordlink",
    "accounts.user",
    "alerts.alert",
    "alerts.alertarea",
    "alerts.alertinfo",
    "alerts.delivery",
    "alerts.subscription",
    "alerts.subscriptionarea",
    "audit.auditevent",
    "councils.council",
    "councils.councilmember",
    "councils.meeting",
    "councils.opinion",
    "newsletters.newsletter",
    "counter.countermatter",
    "geography.beat",
    "geography.beatversion",
    "households.household",
    "households.visit",
    "visitcards.accessgrant",
    "visitcards.consent",
    "visitcards.disastercheck",
    "visitcards.nametoken",
    "visitcards.safetycheck",
    "visitcards.visitcard",
    "incidents.dispatch",
    "incidents.incident",
    "incidents.incidentevent",
    "lostfound.founditem",
    "lostfound.handover",
    "lostfound.itemtask",
    "lostfound.lossreport",
    "lostfound.storagemove",
    "organization.agency",
    "organization.policebox",
    "organization.policestation",
    "partners.agreement",
    "partners.networkmeeting",
    "partners.partner",
    "partners.partneraccount",
    "partners.partnercontact",
    "patrols.observation",
    "patrols.patrol",
    "patrols.patrolcard",
    "patrols.patrolstop",
    "rosters.boxshiftplan",
    "rosters.crewassignment",
    "rosters.dutyrecord",
    "rosters.handoveracknowledgement",
    "rosters.handoverentry",
    "rosters.leaverequest",
    "rosters.outing",
    "rosters.planmember",
    "rosters.rosterentry",
    "runs.jobrun",
    "voice.action",
    "voice.request",
    "volunteers.activityobservation",
    "volunteers.bluelightcertification",
    "volunteers.certifiedpatroller",
    "volunteers.patrolvehicle",
    "volunteers.volunteeractivity",
    "volunteers.volunteergroup",
    "volunteers.volunteermember",
}
# Configuration and reference data: categories, patterns, shared maps, import batches.
UNPROTECTED = {
    "alerts.alert",
    "alerts.alertarea",
    "alerts.alertinfo",
    "alerts.delivery",
    "alerts.subscription",
    "alerts.subscriptionarea",
    "counter.countercategory",
    "newsletters.newsletterpdf",
    "geography.adminarea",
    "geography.roadsegment",
    "incidents.incidentcategory",
    "incidents.incidentimport",
    "lostfound.itemcategory",
    "rosters.shiftpattern",
    # A vehicle of a box (call sign, kind): configuration; who rides in it is a crew assignment.
    "rosters.patrolcar",
    # Which officer keeps a box's visit cards: a staff posting, no resident's data (the cards it opens
    # are covered by the visit card rows).
    "visitcards.cardcustodian",
    "voice.requestcategory",
}


def _koban_models() -> set[str]:
    return {m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("koban.")}


def test_every_protected_model_has_rows() -> None:
    models = _koban_models()
    unclassified = models - PROTECTED - UNPROTECTED
    assert not unclassified, f"classify these models in the access matrix: {sorted(unclassified)}"
    marked = {m._meta.label_lower for m in apps.get_models() if getattr(m, "PERSONAL_FIELDS", None)}
    assert marked <= PROTECTED, f"models with PERSONAL_FIELDS must be protected: {sorted(marked - PROTECTED)}"
    covered = {label for row in ROWS for label in row.models}
    assert PROTECTED - covered == set(), f"protected models without rows: {sorted(PROTECTED - covered)}"


def _login(client: Client, world: World, role: str) -> None:
    client.logout()
    user = world.people[role]
    if user is not None:
        client.force_login(user)


def _request(client: Client, row: Row, world: World) -> Any:
    url = row.url(world)
    data = row.data(world) if row.data else None
    if row.front == "api" and row.method != "get":
        return getattr(client, row.method)(url, data or {}, content_type="application/json")
    return getattr(client, row.method)(url, data or {})


def _check(row: Row, role: str, response: Any, denials: int, world: World) -> list[str]:
    problems = []
    expected = row.expected(role)
    if response.status_code not in expected:
        problems.append(f"{role}: {response.status_code}, expected {expected}")
    if row.mark and response.status_code == 200:
        mark = row.mark(world) if callable(row.mark) else row.mark
        shows = row.shows if row.shows is not None else (row.allowed or row.found)
        shown = mark in response.content.decode("utf-8", "replace")
        if shown != (role in shows):
            problems.append(f"{role}: {mark!r} {'shown' if shown else 'hidden'}, expected the opposite")
    if response.status_code == 404 and row.front != "admin" and denials != 1:
        problems.append(f"{role}: refused with {denials} access.denied rows, expected 1")
    return problems


@pytest.fixture
def world(cast, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    return build_world(cast)


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_access_matrix(row: Row, world: World) -> None:
    """Every role's answer to one request; each role's request is rolled back before the next."""
    client = Client()
    problems: list[str] = []
    for role in ROLES:
        with transaction.atomic():
            _login(client, world, role)
            before = AuditEvent.objects.filter(action="access.denied").count()
            response = _request(client, row, world)
            denials = AuditEvent.objects.filter(action="access.denied").count() - before
            problems += _check(row, role, response, denials, world)
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
