"""The printed ledgers: found property (遺失物件台帳) and loss reports (遺失届受理簿) of a box or station."""

from __future__ import annotations

import re

import pytest

from koban.audit.models import AuditEvent
from koban.lostfound import services
from tests.factories import sign_in
from tests.lostfound.helpers import at, category, receive
from tests.pdftext import pdf_pages, pdf_text

JANUARY = {"from": "2026-01-01", "to": "2026-01-31", "lang": "en"}


def _reads():  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(action__endswith=".read")


@pytest.fixture
def items(cast):  # type: ignore[no-untyped-def]
    """Three items at box A in January, one in February; one at box B (same station), one at box C."""
    own = [receive(cast.officer_a, cast.box_a, day=f"2026-01-1{n}") for n in range(3)]
    later = receive(cast.officer_a, cast.box_a, day="2026-02-02")
    neighbour = receive(cast.officer_b, cast.box_b, day="2026-01-12", finder_name="高橋一郎")
    return {"own": own, "later": later, "neighbour": neighbour}


def test_box_ledger_lists_the_periods_receipts_with_finders(client, cast, items):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get("/lost-found/ledger/items.pdf", {"box": cast.box_a.pk, **JANUARY})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="found-items-A-20260101-20260131-en.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for item in items["own"]:
        assert item.receipt_number in text
    assert items["later"].receipt_number not in text and items["neighbour"].receipt_number not in text
    assert text.count("山田太郎") == 3 and "駅前ロータリー" in text
    assert "Found-property ledger" in text and "2026-01-01 – 2026-01-31" in text
    read = _reads().get()
    assert read.action == "lostfound.founditem.read" and read.actor == cast.officer_a
    assert sorted(read.after["ids"]) == sorted(str(i.pk) for i in items["own"])
    assert read.after["fields"] == ["finder_name"]
    assert read.after["path"].startswith("/lost-found/ledger/items.pdf?box=")


def test_another_boxs_finders_are_masked_and_not_audited(client, cast, items):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_b")
    response = client.get("/lost-found/ledger/items.pdf", {"box": cast.box_a.pk, **JANUARY})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert items["own"][0].receipt_number in text
    assert "山田太郎" not in text and "山***" in text
    assert not _reads().exists()


def test_station_ledger_holds_every_box_of_the_station(client, cast, items):  # type: ignore[no-untyped-def]
    sign_in(client, "chief_north")
    response = client.get("/lost-found/ledger/items.pdf", {"station": cast.north.pk, **JANUARY})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert items["neighbour"].receipt_number in text and "高橋一郎" in text
    assert all(i.receipt_number in text for i in items["own"])
    assert sorted(_reads().get().after["ids"]) == sorted(
        str(i.pk) for i in [*items["own"], items["neighbour"]]
    )
    # A station chief with no box gets the station by default.
    default = client.get("/lost-found/ledger/items.pdf", JANUARY)
    assert default.status_code == 200 and items["neighbour"].receipt_number in pdf_text(default.content)


def test_a_long_ledger_repeats_its_header_and_numbers_pages(client, cast):  # type: ignore[no-untyped-def]
    for n in range(40):
        receive(
            cast.officer_a, cast.box_a, handed_in_at=at("2026-01-10", f"{8 + n // 6:02d}:{n % 6 * 10:02d}")
        )
    sign_in(client, "officer_a")
    response = client.get("/lost-found/ledger/items.pdf", JANUARY)  # the officer's own box by default
    text = pdf_text(response.content)
    pages = pdf_pages(response.content)
    assert pages >= 2
    assert text.count("Outcome") == pages  # the table header on every page
    assert re.search(rf"\b1 ?/ ?{pages}\b", text) and re.search(rf"\b{pages} ?/ ?{pages}\b", text)


def test_another_stations_ledger_is_404(client, cast, items):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    assert client.get("/lost-found/ledger/items.pdf", {"box": cast.box_c.pk}).status_code == 404
    assert client.get("/lost-found/ledger/reports.pdf", {"box": cast.box_c.pk}).status_code == 404
    assert client.get("/lost-found/ledger/items.pdf", {"station": cast.south.pk}).status_code == 404
    assert client.get("/lost-found/ledger/items.pdf", {"box": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=cast.officer_a).count() == 4


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-31"}, "to"),
        ({"from": "1800-01-01", "to": "1800-01-02"}, "from"),
    ],
)
def test_bad_period_is_a_400_naming_the_field(client, cast, period, field):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    for ledger in ("items", "reports"):
        response = client.get(f"/lost-found/ledger/{ledger}.pdf", {**period, "lang": "en"})
        assert response.status_code == 400
        assert response.content.decode().startswith(f"{field}:")


def test_loss_report_register_lists_owners(client, cast):  # type: ignore[no-untyped-def]
    report = services.report_loss(
        cast.officer_a,
        cast.box_a,
        category=category("wallet"),
        description="黒い財布を落としました",
        owner_name="佐藤花子",
        owner_contact="03-1111-2222",
        lost_from=at("2026-01-10", "07:00"),
        lost_to=at("2026-01-10", "09:30"),
        lost_place="中央公園",
        reported_at=at("2026-01-10", "15:00"),
    )
    sign_in(client, "officer_a")
    response = client.get(
        "/lost-found/ledger/reports.pdf", {"lang": "ja", "from": "2026-01-01", "to": "2026-01-31"}
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert str(report) in text and "佐藤花子" in text and "03-1111-2222" in text and "中央公園" in text
    assert "遺失届受理簿" in text and "Loss-report register" not in text
    read = _reads().get()
    assert read.action == "lostfound.lossreport.read" and read.after["ids"] == [str(report.pk)]


def test_list_pages_link_to_the_ledgers(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    assert 'action="/lost-found/ledger/items.pdf"' in client.get("/lost-found/").text
    assert 'action="/lost-found/ledger/reports.pdf"' in client.get("/lost-found/reports/").text
