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


def _typed_forms(number: str) -> list[str]:
    """A receipt number as owners and finders type it: spaces, full-width digits and dashes, lower case."""
    wide = number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    return [number, " ".join(number.split("-")), wide, number.lower(), number.replace("-", "ー")]


def test_the_notice_finds_a_receipt_number_however_it_is_typed(cast):
    umbrella = _recent(cast.chief_north, cast.box_a, "umbrella", "紺色の傘")
    licence = _recent(cast.planner, cast.box_c, "id", "運転免許証 山田花子")
    client = Client()
    for item in (umbrella, licence):  # a number is not personal data: found for every item
        for typed in _typed_forms(item.receipt_number):
            rows = client.get("/lost-found/notices/", {"q": typed}).context["rows"]
            assert [r["receipt_number"] for r in rows] == [item.receipt_number], typed
    for punctuation in ("!!!", "・・・", "－－", "?&%", "「」。、"):
        page = client.get("/lost-found/notices/", {"q": punctuation})
        assert page.status_code == 200 and page.context["rows"] == [], punctuation


def test_staff_search_finds_receipt_numbers_typed_with_dash_look_alikes(client, cast):
    from tests.factories import sign_in

    umbrella = _recent(cast.chief_north, cast.box_a, "umbrella", "紺色の傘")
    sign_in(client, "officer_a")
    for typed in _typed_forms(umbrella.receipt_number):
        assert [i.pk for i in client.get("/lost-found/", {"q": typed}).context["items"]] == [umbrella.pk], (
            typed
        )
    for punctuation in ("!!!", "－－", "?&%"):
        page = client.get("/lost-found/", {"q": punctuation})
        assert page.status_code == 200 and list(page.context["items"]) == []


def test_the_notice_reads_in_japanese_and_english_with_the_office_to_contact(cast):
    cast.box_a.station.phone = "03-1234-0110"
    cast.box_a.station.address = "東町1-1"
    cast.box_a.station.save()
    umbrella = _recent(cast.chief_north, cast.box_a, "umbrella", "紺色の傘")
    client = Client()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/lost-found/notices/"})
    japanese = client.get("/lost-found/notices/", {"q": "かさ"}).content.decode()
    assert "拾得物公告" in japanese and "傘" in japanese and "預り書番号" in japanese
    assert umbrella.receipt_number in japanese and "North Station (03-1234-0110), 東町1-1" in japanese
    client.post("/i18n/setlang/", {"language": "en", "next": "/lost-found/notices/"})
    english = client.get("/lost-found/notices/", {"q": "umbrella"})
    html = english.content.decode()
    # An English-speaking owner types the kind in English: the item's kind is named in either language.
    assert [r["receipt_number"] for r in english.context["rows"]] == [umbrella.receipt_number]
    assert "Found property notice" in html and "Receipt number" in html and "Umbrella" in html
    by_kind = client.get("/lost-found/notices/", {"category": umbrella.category_id}).content.decode()
    assert umbrella.receipt_number in by_kind and ">Umbrella<" in by_kind
