"""The upload limit also holds for API requests parsed by Django REST framework."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request

from koban.runs.uploads import upload_rejection


def api_request(size: int) -> Request:
    django_request = RequestFactory().post(
        "/api/v1/x/", {"file": SimpleUploadedFile("beats.geojson", b"x" * size)}
    )
    return Request(django_request, parsers=[MultiPartParser(), FormParser()])


def test_an_api_upload_over_the_limit_is_refused_unread(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1_000
    request = api_request(5_000)
    assert upload_rejection(request) == (
        "The file beats.geojson is too large (at least 4.9\xa0KB); files up to 1000\xa0bytes can be uploaded."
    )
    assert "file" not in request.FILES


def test_an_api_upload_under_the_limit_passes(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 10_000
    request = api_request(5_000)
    assert upload_rejection(request) is None
    assert request.FILES["file"].size == 5_000


def test_a_gpx_file_over_the_upload_limit_gets_the_same_clear_error(client, cast, settings):  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1_000
    client.force_login(cast.officer_a)
    fields = {"box": cast.box_a.pk, "officers": [cast.officer_a.pk]}
    page = client.post("/patrols/new/", {**fields, "gpx": SimpleUploadedFile("walk.gpx", b"<gpx>" * 1000)})
    assert "The file walk.gpx is too large" in page.content.decode()
    api = client.post("/api/v1/patrols/", {**fields, "gpx": SimpleUploadedFile("walk.gpx", b"<gpx>" * 1000)})
    assert api.status_code == 400 and api.json()["gpx"][0].startswith("The file walk.gpx is too large")
