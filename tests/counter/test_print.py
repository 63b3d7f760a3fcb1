"""The printed counter log of a day: every matter of the box's day, custody reads audited."""

from __future__ import annotations

import pytest

from koban.audit.models import AuditEvent
from koban.counter.models import CounterCategory, Outcome
from koban.counter.services import record_matter
from tests.clock import tokyo
from tests.factories import sign_in
from tests.pdftext import pdf_text


def _category(code: str) -> CounterCategory:
    return CounterCategory.objects.get(code=code)


@pytest.fixture
def day(cast):  # type: ignore[no-untyped-def]
    """Three matters at box A on 8 June 2026 (one a lost child), one on 9 June, one at box B."""
    made = {}
    for hour, code, summary in ((9, "directions", "市役所への道"), (13, "consultation", "騒音の相談")):
        made[summary], _ = record_matter(
            cast.officer_a,
            cast.box_a,
            received_at=tokyo(2026, 6, 8, hour, 5),
            category=_category(code),
            summary=summary,
        )
    record_matter(
        cast.counsellor_a,
        cast.box_a,
        received_at=tokyo(2026, 6, 8, 23, 50),
        category=_category("lost-child"),
        summary="駅出口で泣いていた男児",
        person_description="男児 5歳くらい 赤い帽子",
        outcome=Outcome.OPEN,
    )
    record_matter(
        cast.officer_a,
        cast.box_a,
        received_at=tokyo(2026, 6, 9, 0, 10),
        category=_category("other"),
        summary="翌日の案件",
    )
    record_matter(
        cast.officer_b,
        cast.box_b,
        received_at=tokyo(2026, 6, 8, 10),
        category=_category("other"),
        summary="隣の交番",
    )
    return made


def test_day_log_lists_the_days_matters_in_order(client, cast, day):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/counter/boxes/{cast.box_a.pk}/print/", {"day": "2026-06-08", "lang": "ja"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="counter-A-20260608-ja.pdf"'
    text = pdf_text(response.content)
    assert "窓口取扱簿" in text and "2026-06-08" in text
    positions = [text.index(s) for s in ("市役所への道", "騒音の相談", "駅出口で泣いていた男児")]
    assert positions == sorted(positions)
    assert "翌日の案件" not in text and "隣の交番" not in text
    assert "09:05" in text and "23:50" in text and "counsellor_a" in text and "男児 5歳くらい" in text
    assert "地理案内: 1" in text and "迷子保護: 1" in text
    read = AuditEvent.objects.get(action="counter.countermatter.read")
    assert read.actor == cast.officer_a and read.records_read == 1


def test_another_boxs_counter_log_is_404(client, cast, day):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_b")
    assert client.get(f"/counter/boxes/{cast.box_a.pk}/print/", {"day": "2026-06-08"}).status_code == 404


@pytest.mark.parametrize("value", ["2026-06-31", "8 June", "1900-01-01", "2027-01-01"])
def test_bad_day_is_a_400_naming_the_field(client, cast, value):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/counter/boxes/{cast.box_a.pk}/print/", {"day": value, "lang": "en"})
    assert response.status_code == 400 and response.content.decode().startswith("day:")


def test_the_counter_page_links_the_printout(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    page = client.get(f"/counter/boxes/{cast.box_a.pk}/").text
    assert f'action="/counter/boxes/{cast.box_a.pk}/print/"' in page
