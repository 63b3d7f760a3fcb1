"""Real clients against a live server: an Open311 client library from PyPI, and a real SMTP conversation.

``georeport`` (PyPI) is a GeoReport v2 client: it lists the services, reads a service definition and
follows requests exactly as it would against a city's endpoint. It has no call for filing a request
(and the older ``open311`` package does not import on Python 3), so its test posts with ``requests``
the way the standard describes it (form-encoded, with ``api_key``). ``civicbot`` (PyPI) has a
GeoReport v2 client that files requests too: it checks its form against the live service definition,
posts it and reads the request back. The status e-mail goes through
Django's SMTP backend to a local ``aiosmtpd`` server, as it would to the deployment's mail server.
"""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from civicbot.http import HttpTransport
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from django.db import transaction
from georeport import GeoReport

from koban.voice import services
from koban.voice.models import Request, Status
from koban.voice.notify import send_status_mail
from tests.clock import local_today
from tests.factories import make_api_token
from tests.voice.helpers import IN_A, file_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_client_lists_services_posts_and_follows_a_request(live_server, cast, fmt):  # type: ignore[no-untyped-def]
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, jurisdiction="T1", output_format=fmt)
    listed = client.get_service_list()
    assert "dark_street" in {s["service_code"] for s in listed}
    definition = client.get_service_definition("dark_street")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert (attributes[0] if isinstance(attributes, list) else attributes)["code"] == "time_of_day"

    key = make_api_token(cast.officer_a)
    posted = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": key,
            "jurisdiction_id": "T1",
            "service_code": "dark_street",
            "lat": IN_A.y,
            "long": IN_A.x,
            "description": "Lamp out at the shrine",
            "attribute[time_of_day]": "night",
        },
        timeout=30,
    )
    assert posted.status_code == 200, posted.text
    request = Request.objects.get()
    assert request.box == cast.box_a and str(request.pk) in posted.text

    services.create_action(
        cast.officer_a,
        [request],
        kind="visit",
        title="Look at the lamp",
        due_on=local_today() + dt.timedelta(days=3),
    )
    followed = client.get_service_request(str(request.pk))
    assert followed["status"] == "open" and followed["agency_responsible"] == "Ekimae Koban"
    assert followed["expected_datetime"].startswith((local_today() + dt.timedelta(days=3)).isoformat())
    services.change_status(cast.officer_a, request, Status.DONE, note="Lamp replaced")
    closed = client.get_service_requests(status="closed")
    closed = closed if isinstance(closed, list) else [closed]
    assert [(r["service_request_id"], r["status"], r["status_notes"]) for r in closed] == [
        (str(request.pk), "closed", "Lamp replaced")
    ]


def test_an_open311_client_library_files_a_request_and_reads_it_back(live_server, cast):  # type: ignore[no-untyped-def]
    endpoint = Endpoint(id="koban", name="Koban", base_url=f"{live_server.url}/open311/v2", write=True)
    client = Open311Client(endpoint, transport=HttpTransport(timeout=30), jurisdiction_id="T1")
    assert "dark_street" in {s["service_code"] for s in client.list_services()}

    filed = client.create_request(
        "dark_street",
        dry_run=False,
        confirm="SEND",
        api_key=make_api_token(cast.officer_a),
        validate_remote=True,  # the client checks its form against our service definition first
        lat=IN_A.y,
        lng=IN_A.x,
        description="Lamp out at the shrine",
        attributes={"time_of_day": "night"},
    )
    answer = filed.response[0]
    request = Request.objects.get()
    assert answer["service_request_id"] == str(request.pk) and request.box == cast.box_a
    assert request.description == "Lamp out at the shrine"
    read_back = client.get_request(answer["service_request_id"])
    assert read_back is not None and read_back["status"] == "open"
    assert read_back["agency_responsible"] == "Ekimae Koban"


class _Inbox(Message):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[object] = []

    def handle_message(self, message: object) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp_server(settings):  # type: ignore[no-untyped-def]
    """A local SMTP server on a free port, and the settings pointing Django's SMTP backend at it."""
    inbox = _Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its own port, so 0 will not do)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()


def test_a_status_change_is_mailed_to_the_reporter_over_smtp(cast, smtp_server):  # type: ignore[no-untyped-def]
    request = file_request(reporter=services.Reporter(email="resident@example.jp", language="ja"))
    with transaction.atomic():
        services.change_status(cast.officer_a, request, Status.UNDER_REVIEW, note="確認しています")
        assert smtp_server.messages == []  # nothing leaves before the commit
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "resident@example.jp"  # type: ignore[index]
    body = message.get_payload(decode=True).decode("utf-8")  # type: ignore[attr-defined]
    assert "確認しています" in body and str(request.token) in body


def test_a_dead_mail_server_does_not_undo_the_change(cast, settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    request = file_request(reporter=services.Reporter(email="resident@example.jp"))
    services.change_status(cast.officer_a, request, Status.UNDER_REVIEW)
    request.refresh_from_db()
    assert request.status == Status.UNDER_REVIEW
    assert send_status_mail(request.pk) is False
