"""Lost-property lists: one FilterSet for page, API and export; names searched and exported only where
the user may see them; exports bounded and audited."""

from __future__ import annotations

import csv
import io

from django.test import override_settings
from openpyxl import load_workbook

from koban.audit.models import AuditEvent
from koban.lostfound.exports import ITEM_COLUMNS
from tests.factories import sign_in
from tests.lostfound.helpers import receive


def _csv(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_page_and_api_list_the_same_items_for_the_same_filters(client, cast):
    wallet = receive(cast.chief_north, cast.box_a, description="黒いさいふ")
    receive(cast.chief_north, cast.box_a, description="青い傘")
    receive(cast.chief_north, cast.box_b, description="茶色の財布")
    sign_in(client, "officer_a")
    for params in ({"q": "財布", "box": cast.box_a.pk}, {"q": "サイフ"}, {"state": "received"}, {}):
        page = {i.pk for i in client.get("/lost-found/", params).context["items"]}
        api = {row["id"] for row in client.get("/api/v1/lost-found/items/", params).json()["results"]}
        assert page == api, params
    assert {
        i.pk for i in client.get("/lost-found/", {"q": "財布", "box": cast.box_a.pk}).context["items"]
    } == {wallet.pk}


def test_a_kana_search_finds_the_kanji_description_and_the_reverse(client, cast):
    kanji = receive(cast.chief_north, cast.box_a, description="黒い財布", found_place="北口")
    kana = receive(cast.chief_north, cast.box_a, description="スマホ（白）", found_place="公園")
    sign_in(client, "officer_a")

    def found(q):  # type: ignore[no-untyped-def]
        return {i.pk for i in client.get("/lost-found/", {"q": q}).context["items"]}

    assert found("さいふ") == found("ｻｲﾌ") == {kanji.pk}
    assert found("携帯電話") == {kana.pk}  # a synonym of スマホ
    assert found("こうえん") == set()  # readings of kanji are not guessed
    assert found("公園") == {kana.pk}  # the place is searched as well as the description


def test_bad_filters_are_named_and_punctuation_finds_nothing(client, cast):
    receive(cast.chief_north, cast.box_a)
    sign_in(client, "officer_a")
    page = client.get("/lost-found/", {"q": "!!! ・・・"})
    assert page.status_code == 200 and list(page.context["items"]) == []
    bad = client.get("/lost-found/", {"state": "lost-in-space", "box": "x"})
    assert bad.status_code == 200 and set(bad.context["errors"]) == {"state", "box"}
    api = client.get("/api/v1/lost-found/items/", {"state": "lost-in-space", "box": "1.5"})
    assert api.status_code == 400 and set(api.json()) == {"state", "box"}
    assert client.get("/api/v1/lost-found/items/", {"q": "!!!"}).json()["count"] == 0


def test_finders_are_searched_by_name_only_where_the_user_sees_names(client, cast):
    own = receive(cast.chief_north, cast.box_a, finder_name="佐藤花子")
    other = receive(cast.chief_north, cast.box_b, finder_name="佐藤花子")
    sign_in(client, "officer_a")  # reads box B's items masked
    assert {i.pk for i in client.get("/lost-found/", {"q": "佐藤"}).context["items"]} == {own.pk}
    sign_in(client, "chief_north")
    assert {i.pk for i in client.get("/lost-found/", {"q": "佐藤"}).context["items"]} == {own.pk, other.pk}


def test_the_export_holds_the_filtered_rows_with_names_only_where_shown_and_is_audited(client, cast):
    own = receive(cast.chief_north, cast.box_a, description="黒い財布", finder_name="山田太郎")
    other = receive(cast.chief_north, cast.box_b, description="赤い財布", finder_name="鈴木一郎")
    receive(cast.chief_north, cast.box_a, description="青い傘")
    sign_in(client, "officer_a")
    page = client.get("/lost-found/", {"q": "財布"}).content.decode()
    assert "/lost-found/export/?q=" in page and "format=xlsx" in page
    rows = _csv(client.get("/lost-found/export/", {"q": "財布", "format": "csv"}))
    by_receipt = {row[0]: row for row in rows[1:]}
    assert set(by_receipt) == {own.receipt_number, other.receipt_number}
    name = [c.name for c in ITEM_COLUMNS].index("finder_name")
    assert by_receipt[own.receipt_number][name] == "山田太郎"
    assert by_receipt[other.receipt_number][name] == ""  # another box: not shown on the page either
    read = AuditEvent.objects.filter(action="lostfound.founditem.read").latest("at")
    assert read.actor == cast.officer_a and read.after["ids"] == [str(own.pk)]
    assert "finder_name" in read.after["fields"] and "csv export" in read.after["what"]

    book = load_workbook(
        io.BytesIO(client.get("/lost-found/export/", {"q": "財布", "format": "xlsx"}).content)
    )
    sheet_rows = list(book.active.iter_rows(values_only=True))
    assert len(sheet_rows) == 3 and {r[0] for r in sheet_rows[1:]} == {
        own.receipt_number,
        other.receipt_number,
    }


def test_an_export_without_names_leaves_the_name_columns_out_and_no_read_row(client, cast):
    from koban.accounts.models import Role
    from tests.factories import make_user

    receive(cast.chief_north, cast.box_a, finder_name="山田太郎")
    # A counsellor of box B reads box A's items (same station) but sees no finders at all.
    make_user(Role.BOX_OFFICER, "officer_c", agency=cast.agency, station=cast.south, box=cast.box_c)
    receive(cast.planner, cast.box_c, finder_name="南の拾得者")
    sign_in(client, "officer_c")
    before = AuditEvent.objects.filter(action="lostfound.founditem.read").count()
    rows = _csv(client.get("/lost-found/export/", {"format": "csv", "box": cast.box_a.pk}))
    assert rows[1:] == []  # box A is not in officer C's scope
    assert AuditEvent.objects.filter(action="lostfound.founditem.read").count() == before


@override_settings(KOBAN_EXPORT_MAX_ROWS=2)
def test_an_export_larger_than_the_limit_is_refused_with_a_message(client, cast):
    for i in range(3):
        receive(cast.chief_north, cast.box_a, description=f"傘 {i}")
    sign_in(client, "officer_a")
    response = client.get("/lost-found/export/", {"format": "csv", "q": "傘"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/lost-found/?q=")
    messages = [str(m) for m in response.context["messages"]]
    assert any("3" in m and "2" in m for m in messages), messages
    assert client.get("/lost-found/export/", {"format": "csv", "q": "傘 0"}).status_code == 200
    assert client.get("/lost-found/export/", {"format": "pdf"}, follow=True).redirect_chain


def test_loss_reports_filter_and_export_alike(client, cast):
    from tests.lostfound.test_search_and_reach import _report

    phone = _report(cast.chief_north, cast.box_a, "スマホ 白")
    _report(cast.chief_north, cast.box_a, "黒い財布")
    sign_in(client, "officer_a")
    params = {"q": "携帯", "status": "open"}
    page = {r.pk for r in client.get("/lost-found/reports/", params).context["reports"]}
    api = {row["id"] for row in client.get("/api/v1/lost-found/reports/", params).json()["results"]}
    assert page == api == {phone.pk}
    rows = _csv(client.get("/lost-found/reports/export/", params | {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == [str(phone)] and "Owner Person" in rows[1]
    assert AuditEvent.objects.filter(action="lostfound.lossreport.read", actor=cast.officer_a).exists()


def test_a_long_list_says_more_than_the_cap_instead_of_counting_everything(client, cast, monkeypatch):
    from django.utils import translation

    from koban.lib.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for i in range(5):
        receive(cast.chief_north, cast.box_a, description=f"傘 {i}")
    sign_in(client, "officer_a")
    with translation.override("en"):
        page = client.get("/lost-found/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["page"].paginator.capped and len(page.context["items"]) == 5
    narrow = client.get("/lost-found/", {"q": "傘 1"})
    assert not narrow.context["page"].paginator.capped and narrow.context["page"].paginator.count == 1
