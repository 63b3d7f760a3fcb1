"""Attachments: checked by content, stored privately, thumbnailed, served only after an access check."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from koban.attachments.models import Attachment
from koban.attachments.services import add_attachment, delete_attachment
from koban.audit.models import AuditEvent
from koban.incidents.models import Incident
from koban.incidents.services import intake_incident
from tests.attachments.files import PDF_BYTES, image_bytes, photo, upload
from tests.factories import sign_in
from tests.incidents.conftest import minutes_ago
from tests.lostfound.helpers import receive
from tests.personas import LAT, LON


@pytest.fixture
def incident(cast) -> Incident:  # type: ignore[no-untyped-def]
    from koban.incidents.models import IncidentCategory

    theft = IncidentCategory.objects.get(code="theft")
    return intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), lon=LON + 0.005, lat=LAT + 0.005
    ).incident


def test_a_photo_is_stored_privately_with_a_thumbnail_and_an_audit_row(cast, incident):  # type: ignore[no-untyped-def]
    attachment = add_attachment(cast.officer_a, incident, photo(), caption="自転車置き場")
    assert (attachment.kind, attachment.content_type, attachment.width, attachment.height) == (
        "image",
        "image/jpeg",
        800,
        600,
    )
    with attachment.thumbnail.open("rb") as stored, Image.open(stored) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018  (no URL: private storage)
    assert "scene" not in attachment.file.name  # stored under a random name
    event = AuditEvent.objects.get(action="attachment.add")
    assert event.after["original_name"] == "scene.jpg" and "file" not in event.after


def test_a_pdf_is_kept_without_a_thumbnail(cast, incident):  # type: ignore[no-untyped-def]
    attachment = add_attachment(cast.officer_a, incident, upload("statement.pdf", PDF_BYTES))
    assert attachment.kind == "pdf" and not attachment.thumbnail


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", PDF_BYTES),  # a PDF named as a photo
        ("photo.jpg", b"#!/bin/sh\necho not a photo\n"),  # text named as a photo
        ("photo.jpg", image_bytes("PNG")),  # a PNG named .jpg
        ("statement.pdf", image_bytes()),  # a photo named as a PDF
        ("tool.exe", b"MZ\x90\x00"),  # a type that is never attached
        ("photo.jpg", image_bytes()[:200]),  # a truncated photo
        ("empty.png", b""),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(cast, incident, name, data):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        add_attachment(cast.officer_a, incident, upload(name, data, "image/jpeg"))
    assert list(error.value.message_dict) == ["file"] and name in error.value.message_dict["file"][0]
    assert not Attachment.objects.exists()


def test_an_oversize_file_is_refused(cast, incident, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        add_attachment(cast.officer_a, incident, photo())
    assert "too large" in error.value.message_dict["file"][0]
    assert not Attachment.objects.exists()


def test_too_many_pixels_are_refused_before_decoding(cast, incident, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_ATTACHMENT_MAX_PIXELS = 100_000
    with pytest.raises(ValidationError) as error:
        add_attachment(cast.officer_a, incident, photo())
    assert "pixels" in error.value.message_dict["file"][0]


def test_only_those_who_work_on_the_record_attach(cast, incident):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        add_attachment(cast.officer_b, incident, photo())
    item = receive(cast.officer_a, cast.box_a)
    with pytest.raises(PermissionDenied):
        add_attachment(cast.officer_b, item, photo())  # reads box A's items station-wide, works at B
    assert add_attachment(cast.counsellor_a, item, photo()).parent_id == item.pk


def test_the_file_of_another_boxs_incident_answers_404_and_is_recorded(client, cast, incident):  # type: ignore[no-untyped-def]
    attachment = add_attachment(cast.officer_a, incident, photo())
    sign_in(client, "officer_b")
    for url in (f"/attachments/{attachment.pk}/", f"/attachments/{attachment.pk}/thumbnail/"):
        assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/attachments/{attachment.pk}/file/").status_code == 404
    assert (
        AuditEvent.objects.filter(action="access.denied", object_type="attachments.attachment").count() == 3
    )


def test_opening_a_file_is_an_audited_read(client, cast, incident):  # type: ignore[no-untyped-def]
    attachment = add_attachment(cast.officer_a, incident, photo())
    sign_in(client, "officer_a")
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    read = AuditEvent.objects.get(action="attachments.attachment.read")
    assert read.after["ids"] == [str(attachment.pk)]


def test_the_page_upload_shows_the_thumbnail_and_a_bad_file_names_the_field(client, cast, incident):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    client.post(f"/attachments/incident/{incident.pk}/", {"file": photo(), "caption": "現場"})
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    attachment = Attachment.objects.get()
    assert f"/attachments/{attachment.pk}/thumbnail/" in page
    response = client.post(
        f"/attachments/incident/{incident.pk}/", {"file": upload("x.jpg", PDF_BYTES)}, follow=True
    )
    assert "File: x.jpg is not a JPEG file" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_a_found_item_takes_photos_on_its_page(client, cast):  # type: ignore[no-untyped-def]
    item = receive(cast.officer_a, cast.box_a)
    sign_in(client, "officer_a")
    client.post(f"/attachments/item/{item.pk}/", {"file": upload("wallet.png", image_bytes("PNG"))})
    assert Attachment.objects.get().parent_type == "lostfound.founditem"
    assert "/thumbnail/" in client.get(f"/lost-found/items/{item.pk}/").content.decode()
    client.post(f"/attachments/item/{item.pk}/", {"file": photo("wallet.png")})  # a JPEG named .png
    assert Attachment.objects.count() == 1


def test_removal_is_audited_and_the_files_go(cast, incident, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    attachment = add_attachment(cast.officer_a, incident, photo())
    storage = attachment.file.storage
    names = (attachment.file.name, attachment.thumbnail.name)
    with django_capture_on_commit_callbacks(execute=True):
        delete_attachment(cast.officer_a, attachment)
    assert not Attachment.objects.exists()
    assert not any(storage.exists(n) for n in names)
    assert AuditEvent.objects.get(action="attachment.delete").before["original_name"] == "scene.jpg"


def test_the_api_takes_a_multipart_upload_and_lists_it(client, cast, incident):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    created = client.post(
        "/api/v1/attachments/", {"parent": "incident", "parent_id": incident.pk, "file": photo()}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["thumbnail_url"].endswith("/thumbnail/")
    listed = client.get(f"/api/v1/attachments/?parent=incident&parent_id={incident.pk}").json()
    assert [a["id"] for a in listed] == [created.json()["id"]]
    bad = client.post(
        "/api/v1/attachments/",
        {"parent": "incident", "parent_id": incident.pk, "file": upload("x.jpg", b"hello")},
    )
    assert bad.status_code == 400 and "file" in bad.json()
    assert client.get("/api/v1/attachments/?parent=planet&parent_id=1").status_code == 400
    sign_in(client, "officer_b")
    assert client.get(f"/api/v1/attachments/?parent=incident&parent_id={incident.pk}").status_code == 404
    assert client.delete(f"/api/v1/attachments/{created.json()['id']}/").status_code == 404
    sign_in(client, "officer_a")
    assert client.delete(f"/api/v1/attachments/{created.json()['id']}/").status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"parent": "incident", "parent_id": "abc", "file": "not a file"},
        {"parent": "matter", "parent_id": "1"},  # counter matters take links, not files
        {"parent": "incident", "parent_id": str(2**70)},
        {"parent": "incident", "parent_id": "-1"},
    ],
)
def test_bad_api_uploads_answer_400_not_500(client, cast, incident, body):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.post("/api/v1/attachments/", body)
    assert response.status_code == 400, response.content
    assert client.get("/api/v1/attachments/").status_code == 400
    assert client.get("/api/v1/attachments/?parent=incident&parent_id=x").status_code == 400
