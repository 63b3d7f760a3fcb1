"""The item page's custody forms and the report page's "confirm match", through the pages and the API."""

from __future__ import annotations

import datetime

import pytest

from koban.lostfound import services
from koban.lostfound.models import LossReport, StorageMove
from tests import clock
from tests.factories import sign_in
from tests.lostfound.helpers import category, receive

pytestmark = pytest.mark.django_db


def _recent(cast, **fields):  # type: ignore[no-untyped-def]
    handed = clock.now() - datetime.timedelta(days=2)
    return receive(cast.officer_a, cast.box_a, handed_in_at=handed, now=handed, **fields)


def test_the_item_page_moves_storage_flags_personal_data_and_shows_the_history(client, cast):  # type: ignore[no-untyped-def]
    item = _recent(cast, storage_location="棚1")
    sign_in(client, "officer_a")
    page = client.get(f"/lost-found/items/{item.pk}/").content.decode()
    assert 'id="storage-form"' in page and 'id="personal-form"' in page and 'id="sale-form"' in page
    sign_in(client, "counsellor_a")  # no police powers: no sale
    assert 'id="sale-form"' not in client.get(f"/lost-found/items/{item.pk}/").content.decode()
    sign_in(client, "officer_a")
    assert (
        client.post(f"/lost-found/items/{item.pk}/storage/", {"storage_location": "金庫"}).status_code == 302
    )
    client.post(
        f"/lost-found/items/{item.pk}/personal-data/", {"inside": "on", "personal_data_note": "免許証"}
    )
    page = client.get(f"/lost-found/items/{item.pk}/").content.decode()
    assert "棚1" in page and "金庫" in page and "免許証" in page
    assert list(StorageMove.objects.filter(item=item).values_list("location", flat=True)) == ["棚1", "金庫"]
    # A bad post flashes the reason and writes nothing.
    shown = client.post(f"/lost-found/items/{item.pk}/storage/", {"storage_location": "金庫"}, follow=True)
    assert (
        "already kept there" in shown.content.decode() and StorageMove.objects.filter(item=item).count() == 2
    )


def test_the_api_sells_a_perishable_item_and_names_a_bad_price(client, cast):  # type: ignore[no-untyped-def]
    item = _recent(cast, code="other", description="果物")
    client.force_login(cast.officer_a)
    url = f"/api/v1/lost-found/items/{item.pk}/sell/"
    bad = client.post(url, {"proceeds": 10**20, "perishable": True}, content_type="application/json")
    assert bad.status_code == 400 and "proceeds" in bad.json()
    no_reason = client.post(url, {"proceeds": 500, "perishable": True}, content_type="application/json")
    assert no_reason.status_code == 400 and "note" in no_reason.json()
    sold = client.post(
        url, {"proceeds": 500, "perishable": True, "note": "傷む"}, content_type="application/json"
    )
    assert sold.status_code == 200 and sold.json()["sale_proceeds"] == 500


def test_an_officer_confirms_a_match_of_another_stations_item_from_the_report_page(client, cast):  # type: ignore[no-untyped-def]
    handed = clock.now() - datetime.timedelta(days=2)
    item = receive(cast.planner, cast.box_c, description="黒い財布", handed_in_at=handed, now=handed)
    report = services.report_loss(
        cast.officer_a,
        cast.box_a,
        category=category("wallet"),
        description="くろい さいふ",
        owner_name="Owner",
        owner_contact="080",
        lost_from=handed - datetime.timedelta(hours=3),
        lost_to=handed - datetime.timedelta(hours=1),
        now=handed,
    )
    sign_in(client, "officer_a")
    page = client.get(f"/lost-found/reports/{report.pk}/").content.decode()
    assert "Confirm match" in page and item.receipt_number in page
    client.post(f"/lost-found/reports/{report.pk}/confirm/", {"item": item.pk})
    assert LossReport.objects.get(pk=report.pk).matched_item == item
    # An item the user cannot match (another agency, unknown) answers 404.
    assert client.post(f"/lost-found/reports/{report.pk}/confirm/", {"item": 999999}).status_code == 404
    api = client.post(
        f"/api/v1/lost-found/reports/{report.pk}/confirm/", {"item": "x"}, content_type="application/json"
    )
    assert api.status_code == 400 and "item" in api.json()
