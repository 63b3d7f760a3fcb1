"""Finding lost property: paged lists (no silent stop), search in kana or kanji, receipt numbers typed
by phone, and matching a loss report against the found items of the whole agency."""

from __future__ import annotations

import datetime

from koban.lostfound import services
from koban.lostfound.models import FoundItem
from tests.factories import sign_in
from tests.lostfound.helpers import at, category, receive


def _report(actor, box, text="さいふをなくしました くろい サイフ"):  # type: ignore[no-untyped-def]
    handed = at("2026-01-10")
    return services.report_loss(
        actor,
        box,
        category=category("wallet"),
        description=text,
        owner_name="Owner Person",
        owner_contact="080-0000-1111",
        lost_from=handed - datetime.timedelta(hours=6),
        lost_to=handed - datetime.timedelta(hours=2),
        now=handed,
    )


def test_the_item_list_is_paged_not_cut(client, cast):
    for i in range(55):
        receive(cast.chief_north, cast.box_a, description=f"傘 {i}")
    sign_in(client, "officer_a")
    first = client.get("/lost-found/")
    html = first.content.decode()
    assert len(first.context["items"]) == 50 and 'data-testid="next-page"' in html
    assert "55" in html  # the total is shown
    second = client.get("/lost-found/?page=2")
    assert len(second.context["items"]) == 5
    shown = {i.pk for i in first.context["items"]} | {i.pk for i in second.context["items"]}
    assert shown == set(FoundItem.objects.values_list("pk", flat=True))


def test_search_by_receipt_number_as_typed_on_a_phone_and_by_kana(client, cast):
    wallet = receive(cast.chief_north, cast.box_a, description="黒い財布")
    receive(cast.chief_north, cast.box_a, description="青い傘")
    sign_in(client, "officer_a")
    number = wallet.receipt_number
    spaced = " ".join(number.replace("-", " ").split())  # "A 2026 00001"
    wide = number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))  # full-width digits
    for typed in (number, spaced, wide, "サイフ", "さいふ", "財布"):
        found = client.get("/lost-found/", {"q": typed}).context["items"]
        assert [i.pk for i in found] == [wallet.pk], typed
    punctuation = client.get("/lost-found/", {"q": "!!! ・・・"})
    assert punctuation.status_code == 200 and list(punctuation.context["items"]) == []
    api = client.get("/api/v1/lost-found/items/", {"q": "サイフ"}).json()
    assert [row["id"] for row in api["results"]] == [wallet.pk]


def test_loss_reports_are_searchable_and_paged(client, cast):
    report = _report(cast.chief_north, cast.box_a, "スマホ 白")
    _report(cast.chief_north, cast.box_a, "黒い財布")
    sign_in(client, "officer_a")
    found = client.get("/lost-found/reports/", {"q": "携帯電話", "status": "open"}).context["reports"]
    assert [r.pk for r in found] == [report.pk]


def test_a_loss_report_is_matched_across_the_whole_agency(client, cast):
    far = receive(cast.planner, cast.box_c, description="黒い財布 現金あり", finder_name="FARFINDER")
    report = _report(cast.chief_north, cast.box_a)
    sign_in(client, "officer_a")
    page = client.get(f"/lost-found/reports/{report.pk}/")
    html = page.content.decode()
    assert far.receipt_number in html and "South Station" in html
    # Another station's item is shown, not opened: no link, no finder.
    assert f"/lost-found/items/{far.pk}/" not in html and "FARFINDER" not in html
    matches = client.get(f"/api/v1/lost-found/reports/{report.pk}/matches/").json()
    assert matches[0]["id"] == far.pk and matches[0]["readable"] is False
    assert client.get(f"/lost-found/items/{far.pk}/").status_code == 404
    # The other station's officer sees the report as a possible owner of their item, masked.
    from koban.accounts.models import Role
    from tests.factories import make_user

    make_user(Role.BOX_OFFICER, "officer_c", agency=cast.agency, station=cast.south, box=cast.box_c)
    sign_in(client, "officer_c")
    item_page = client.get(f"/lost-found/items/{far.pk}/").content.decode()
    assert str(report) in item_page and "Owner Person" not in item_page
    # Another agency's HQ matches nothing of this agency.
    from koban.accounts.access import items_matchable_by

    assert not items_matchable_by(cast.outsider).filter(pk=far.pk).exists()
    assert items_matchable_by(cast.counsellor_a).filter(pk=far.pk).exists()


def test_receipt_numbers_carry_the_station_and_old_duplicates_are_renumbered(client, cast):
    import importlib

    from django.apps import apps
    from django.db import connection

    from tests.factories import make_box

    # A box code used again at another station: the old numbers collided across the agency.
    twin = make_box(cast.south, code="A", name="Minami Ekimae Koban", location=cast.box_c.location)
    north_item = receive(cast.chief_north, cast.box_a)
    south_item = receive(cast.planner, twin)
    assert north_item.receipt_number == "N-A-2026-00001" and south_item.receipt_number == "S-A-2026-00001"
    # Items received before the change carry "<box>-<year>-<seq>": put them back to that state.
    FoundItem.objects.filter(pk__in=[north_item.pk, south_item.pk]).update(receipt_number="A-2026-00001")
    migration = importlib.import_module("koban.lostfound.migrations.0004_agency_unique_receipt_numbers")
    with connection.schema_editor() as editor:
        migration.renumber(apps, editor)
    numbers = dict(FoundItem.objects.values_list("pk", "receipt_number"))
    assert numbers == {north_item.pk: "N-A-2026-00001", south_item.pk: "S-A-2026-00001"}
    assert set(FoundItem.objects.values_list("former_receipt_number", flat=True)) == {"A-2026-00001"}
    # The number on the finder's old receipt still finds the item (both, as it was ambiguous).
    sign_in(client, "chief_north")
    found = client.get("/lost-found/", {"q": "A-2026-00001"}).context["items"]
    assert north_item.pk in {i.pk for i in found}
    # Running it again changes nothing.
    with connection.schema_editor() as editor:
        migration.renumber(apps, editor)
    assert dict(FoundItem.objects.values_list("pk", "receipt_number")) == numbers
