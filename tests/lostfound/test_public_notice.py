"""The public notice of found property (公告): anyone may search it, and it shows public facts only."""

from __future__ import annotations

import datetime

from django.test import Client

from koban.lostfound.models import FoundItem
from tests import clock
from tests.lostfound.helpers import receive


def _recent(actor, box, code, description, finder="NOTICEFINDER"):  # type: ignore[no-untyped-def]
    handed = clock.now() - datetime.timedelta(days=2)
    return receive(
        actor,
        box,
        code=code,
        description=description,
        found_place="駅前1-2-3 山田様宅前",
        finder_name=finder,
        handed_in_at=handed,
        now=handed + datetime.timedelta(minutes=5),
    )


def test_the_notice_shows_public_facts_only_without_login(cast):
    umbrella = _recent(cast.chief_north, cast.box_a, "umbrella", "紺色の傘 持ち手が木")
    licence = _recent(cast.planner, cast.box_c, "id", "運転免許証 山田花子")
    page = Client().get("/lost-found/notices/")
    html = page.content.decode()
    assert page.status_code == 200
    assert umbrella.receipt_number in html and "紺色の傘" in html and "North Station" in html
    # Never the finder, the exact place, or the features of an item holding personal data.
    assert "NOTICEFINDER" not in html and "山田様宅前" not in html
    assert licence.receipt_number in html and "山田花子" not in html


def test_owners_search_the_notice_in_kana_and_by_kind(cast):
    umbrella = _recent(cast.chief_north, cast.box_a, "umbrella", "紺色の傘")
    _recent(cast.chief_north, cast.box_a, "bag", "黒いかばん")
    licence = _recent(cast.planner, cast.box_c, "id", "運転免許証 山田花子")
    client = Client()
    found = client.get("/lost-found/notices/", {"q": "かさ"}).context["rows"]
    assert [r["receipt_number"] for r in found] == [umbrella.receipt_number]
    # A name on a licence is not searchable, not even as a hit.
    assert client.get("/lost-found/notices/", {"q": "山田花子"}).context["rows"] == []
    by_kind = client.get("/lost-found/notices/", {"category": licence.category_id}).context["rows"]
    assert [r["receipt_number"] for r in by_kind] == [licence.receipt_number]
    assert client.get("/lost-found/notices/", {"q": "!!!"}).status_code == 200
    bad = client.get("/lost-found/notices/", {"since": "yesterday"})
    assert bad.status_code == 200 and bad.context["form"].errors["since"]


def test_items_returned_or_past_their_notice_leave_the_page(cast):
    item = _recent(cast.chief_north, cast.box_a, "umbrella", "紺色の傘")
    FoundItem.objects.filter(pk=item.pk).update(state="returned")
    assert Client().get("/lost-found/notices/").context["rows"] == []
