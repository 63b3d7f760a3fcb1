"""The counter-matter list beyond the log's seven days: search, shared filters, paging, export."""

from __future__ import annotations

import csv
import io

from koban.audit.models import AuditEvent
from koban.counter.models import CounterCategory
from koban.counter.services import record_matter
from tests.clock import minutes_ago
from tests.factories import sign_in


def _matter(cast, days: int, summary: str, **fields):  # type: ignore[no-untyped-def]
    return record_matter(
        cast.counsellor_a,
        cast.box_a,
        received_at=minutes_ago(days * 24 * 60 + 5),
        category=CounterCategory.objects.get(code=fields.pop("code", "directions")),
        summary=summary,
        **fields,
    )[0]


def test_old_matters_are_found_by_kana_and_page_equals_api(client, cast):
    old = _matter(cast, 40, "市役所への道順")
    recent = _matter(cast, 1, "バス停の場所")
    sign_in(client, "officer_a")
    for params, expected in (
        ({"q": "ばす"}, {recent.pk}),
        ({"q": "市役所"}, {old.pk}),
        ({}, {old.pk, recent.pk}),
    ):
        page = {m.pk for m in client.get("/counter/matters/", params).context["page"]}
        api = {row["id"] for row in client.get("/api/v1/counter-matters/", params).json()["results"]}
        assert page == api == expected, params
    assert list(client.get("/counter/matters/", {"q": "・・・"}).context["page"]) == []
    sign_in(client, "officer_b")  # box B: not box A's counter
    assert list(client.get("/counter/matters/", {"q": "市役所"}).context["page"]) == []


def test_the_export_writes_the_person_in_custody_and_audits_it(client, cast):
    child = _matter(
        cast, 3, "駅で泣いていた子", code="lost-child", person_description="男児 5歳 赤い帽子", outcome="open"
    )
    _matter(cast, 2, "道案内")
    sign_in(client, "officer_a")
    response = client.get("/counter/matters/export/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and any("男児 5歳 赤い帽子" in row for row in rows)
    read = AuditEvent.objects.filter(action="counter.countermatter.read", actor=cast.officer_a).latest("at")
    assert read.after["ids"] == [str(child.pk)]
