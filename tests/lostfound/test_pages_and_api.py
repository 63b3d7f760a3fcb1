from __future__ import annotations

import datetime

import pytest

from koban.audit.models import AuditEvent
from koban.lostfound import services
from koban.lostfound.models import FoundItem, Handover, ItemCategory
from tests import clock
from tests.factories import PASSWORD, sign_in
from tests.lostfound.helpers import at, category, receive

pytestmark = pytest.mark.django_db


def _login(client, username):
    sign_in(client, username)
    return client


@pytest.fixture
def wallet(cast):
    return receive(cast.officer_a, cast.box_a)


@pytest.mark.parametrize("username", ["officer_a", "chief_north", "planner"])
def test_the_box_its_chief_and_hq_see_the_finder(client, cast, wallet, username):
    response = _login(client, username).get(f"/lost-found/items/{wallet.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "山田太郎" in response.text and "090-1234-5678" in response.text


def test_another_box_of_the_station_sees_the_finder_masked(client, cast, wallet):
    response = _login(client, "officer_b").get(f"/lost-found/items/{wallet.pk}/")
    assert response.status_code == 200
    assert "山田太郎" not in response.text and "山***" in response.text and "***78" in response.text


def test_finder_details_are_hidden_from_other_stations(client, cast, wallet):
    officer_c = cast.officer_a.__class__.objects.create_user(
        "officer_c",
        password=PASSWORD,
        role="box_officer",
        agency=cast.agency,
        station=cast.south,
        box=cast.box_c,
    )
    _login(client, officer_c.username)
    assert client.get(f"/lost-found/items/{wallet.pk}/").status_code == 404
    assert client.get("/api/v1/lost-found/items/").json()["results"] == []
    _login(client, "outsider")
    assert client.get(f"/api/v1/lost-found/items/{wallet.pk}/").status_code == 404
    _login(client, "officer_b")
    finder = client.get(f"/api/v1/lost-found/items/{wallet.pk}/").json()["finder"]
    assert finder == {"name": "山***", "contact": "***78", "email": "", "masked": True}


@pytest.mark.dates
def test_the_receipt_form_issues_a_receipt_number(client, cast):
    _login(client, "counsellor_a")
    now = clock.local_now().replace(second=0, microsecond=0)
    response = client.post(
        "/lost-found/items/new/",
        {
            "box": cast.box_a.pk,
            "category": category("umbrella").pk,
            "description": "ビニール傘",
            "found_at": (now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "found_place": "公園",
            "handed_in_at": now.strftime("%Y-%m-%dT%H:%M"),
            "finder_name": "田中",
        },
    )
    item = FoundItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lost-found/items/{item.pk}/receipt/"
    receipt = client.get(response["Location"])
    assert item.receipt_number in receipt.text and item.receipt_number.startswith("N-A-")
    assert AuditEvent.objects.filter(action="lostfound.receive_item", actor=cast.counsellor_a).count() == 1


def test_the_receipt_form_shows_an_impossible_time_next_to_the_field(client, cast):
    _login(client, "officer_a")
    response = client.post(
        "/lost-found/items/new/",
        {
            "box": cast.box_a.pk,
            "category": category("keys").pk,
            "description": "鍵",
            "found_at": "2026-01-10T12:00",
            "found_place": "駅",
            "handed_in_at": "2026-01-10T11:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert 'id="error-handed_in_at"' in response.text and "before it was found" in response.text
    assert not FoundItem.objects.exists()


def test_an_officer_cannot_receive_items_for_another_box(client, cast):
    _login(client, "officer_a")
    response = client.post(
        "/api/v1/lost-found/items/", {"box": cast.box_b.pk}, content_type="application/json"
    )
    assert response.status_code == 400  # missing fields first
    payload = {
        "box": cast.box_b.pk,
        "category": "keys",
        "description": "keys",
        "found_at": "2026-01-10T09:00:00+09:00",
        "found_place": "station",
        "handed_in_at": "2026-01-10T10:00:00+09:00",
    }
    assert (
        client.post("/api/v1/lost-found/items/", payload, content_type="application/json").status_code == 403
    )
    payload["box"] = cast.box_a.pk
    created = client.post("/api/v1/lost-found/items/", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["receipt_number"] == "N-A-2026-00001"


def test_the_api_rejects_a_reward_outside_the_range(client, cast):
    item = receive(
        cast.officer_a,
        cast.box_a,
        finder_claims_reward=True,
        handed_in_at=clock.now() - datetime.timedelta(days=1),
    )
    _login(client, "officer_a")
    body = {
        "recipient": "owner",
        "recipient_name": "佐藤",
        "id_document": "passport",
        "id_number_last_digits": "987",
        "reward_percent": "25",
    }
    response = client.post(
        f"/api/v1/lost-found/items/{item.pk}/handover/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "reward_percent" in response.json()
    body["reward_percent"] = "20"
    response = client.post(
        f"/api/v1/lost-found/items/{item.pk}/handover/", body, content_type="application/json"
    )
    assert response.status_code == 201 and Handover.objects.get().checked_by == cast.officer_a


def test_the_item_page_suggests_the_matching_loss_report(client, cast, wallet):
    services.report_loss(
        cast.officer_b,
        cast.box_b,
        category=category("wallet"),
        description="黒い財布を落としました",
        owner_name="佐藤花子",
        owner_contact="03-1111-2222",
        lost_from=at("2026-01-10", "07:00"),
        lost_to=at("2026-01-10", "09:30"),
        reported_at=at("2026-01-10", "15:00"),
    )
    services.report_loss(
        cast.officer_b,
        cast.box_b,
        category=category("umbrella"),
        description="赤い傘",
        owner_name="鈴木",
        owner_contact="03-3333-4444",
        lost_from=at("2026-01-10", "07:00"),
        lost_to=at("2026-01-10", "09:30"),
        reported_at=at("2026-01-10", "15:00"),
    )
    _login(client, "officer_a")
    matches = client.get(f"/api/v1/lost-found/items/{wallet.pk}/matches/").json()
    assert matches[0]["parts"]["category"] == 1.0 and "財布" in matches[0]["shared_tokens"]
    page = client.get(f"/lost-found/items/{wallet.pk}/")
    # The owner was reported at box B: officer_a sees the suggestion with the owner masked.
    assert "佐***" in page.text and "佐藤花子" not in page.text


def test_todays_page_lists_the_tasks_of_the_users_boxes(client, cast):
    item = receive(cast.officer_a, cast.box_a, code="umbrella", value_estimate=300)
    services.advance_clocks(datetime.date(2026, 1, 30))
    _login(client, "officer_a")
    response = client.get("/lost-found/today/", HTTP_ACCEPT_LANGUAGE="en")
    assert item.receipt_number in response.text and "Cheap bulky item" in response.text
    task = item.tasks.get()
    assert client.post(f"/lost-found/tasks/{task.pk}/done/", {"note": "sold"}).status_code == 302
    task.refresh_from_db()
    assert task.done_by == cast.officer_a
    _login(client, "officer_b")
    assert item.receipt_number not in client.get("/lost-found/today/").text


def test_the_item_list_filters_by_state(client, cast, wallet):
    _login(client, "officer_a")
    assert wallet.receipt_number in client.get("/lost-found/?state=received").text
    assert wallet.receipt_number not in client.get("/lost-found/?state=vested").text


def test_the_categories_are_seeded_with_personal_data_and_bulky_flags():
    assert ItemCategory.objects.get(code="phone").holds_personal_data
    assert ItemCategory.objects.get(code="bicycle").bulky
    assert ItemCategory.objects.get(code="wallet").label("ja") == "財布"


def test_the_daily_command_runs_for_a_given_date(cast, wallet):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("lostfound_daily", "--date", "2026-04-11", stdout=out)
    assert "2026-04-11" in out.getvalue() and "vested: 1" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("lostfound_daily", "--date", "11/04/2026")
