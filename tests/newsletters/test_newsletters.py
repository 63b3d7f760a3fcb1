"""The box newsletter: its figures on a small built world, the editor, publishing, the PDF, the public page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from koban.audit.models import AuditEvent
from koban.newsletters import services
from koban.newsletters.models import Newsletter, NewsletterPdf
from tests.factories import sign_in
from tests.newsletters.world import FINDER_MARK, ITEM_MARK, build_issue_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def iw(cast):  # type: ignore[no-untyped-def]
    return build_issue_world(cast)


@pytest.fixture
def issue(cast, iw):  # type: ignore[no-untyped-def]
    return services.generate_issue(cast.officer_a, cast.box_a, iw.month)


def _row(issue: Newsletter, code: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in issue.content["counts"] if r["code"] == code)


def test_counts_this_month_against_last_month_and_last_year(issue) -> None:  # type: ignore[no-untyped-def]
    theft = _row(issue, "theft")
    assert (theft["this"], theft["last_month"], theft["last_year"]) == (3, 1, 4)
    bicycles = _row(issue, "bicycle_theft")
    assert (bicycles["this"], bicycles["last_month"], bicycles["last_year"]) == (2, 0, 0)
    assert issue.content["totals"] == {"this": 5, "last_month": 1, "last_year": 4}
    assert issue.content["main_categories"] == ["theft", "bicycle_theft"]


def test_the_map_counts_grid_cells_never_exact_places(issue, iw) -> None:  # type: ignore[no-untyped-def]
    cells = issue.content["cells"]
    assert sum(c[2] for c in cells) == 5
    for lon, lat, _count in cells:
        assert all(abs(lon - x) > 1e-7 or abs(lat - y) > 1e-7 for x, y in iw.exact_points)
    # The two thefts 15 m apart fall in one cell.
    assert max(c[2] for c in cells) >= 2


def test_lost_and_found_notices_show_only_the_kind_and_day(issue) -> None:  # type: ignore[no-untyped-def]
    assert issue.content["lost_found_total"] == 1
    text = str(issue.content)
    assert FINDER_MARK not in text and ITEM_MARK not in text and "Ekimae 3-4-5" not in text
    assert issue.content["lost_found"][0]["code"] == "wallet"


def test_advice_follows_the_main_categories(client, cast, issue) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    page = client.get(f"/newsletters/issues/{issue.pk}/edit/?lang=en").content.decode()
    assert "two locks" in page  # bicycle theft advice
    assert "bags closed" in page  # theft advice


def test_editing_and_publishing_are_audited_and_final(cast, issue) -> None:  # type: ignore[no-untyped-def]
    services.edit_greeting(
        cast.officer_a, issue, {"ja": "こんにちは、駅前交番です。", "en": "Hello from Ekimae Koban."}
    )
    with pytest.raises(PermissionDenied):
        services.publish_issue(cast.counsellor_a, issue)
    with pytest.raises(PermissionDenied):
        services.publish_issue(cast.officer_b, issue)
    services.publish_issue(cast.officer_a, issue)
    with pytest.raises(ValidationError):
        services.edit_greeting(cast.officer_a, issue, {"ja": "x", "en": "x"})
    with pytest.raises(ValidationError):
        services.generate_issue(cast.officer_a, cast.box_a, issue.month)
    actions = set(
        AuditEvent.objects.filter(object_type="newsletters.newsletter").values_list("action", flat=True)
    )
    assert {"newsletters.issue.generate", "newsletters.issue.edit", "newsletters.issue.publish"} <= actions


def test_publishing_needs_a_greeting_in_every_language(cast, issue) -> None:  # type: ignore[no-untyped-def]
    services.edit_greeting(cast.officer_a, issue, {"ja": "こんにちは", "en": ""})
    with pytest.raises(ValidationError) as exc:
        services.publish_issue(cast.officer_a, issue)
    assert "greeting" in exc.value.message_dict


def test_a_month_not_started_is_refused(cast, iw) -> None:  # type: ignore[no-untyped-def]
    from koban.newsletters.content import add_months

    with pytest.raises(ValidationError) as exc:
        services.generate_issue(cast.officer_a, cast.box_a, add_months(iw.month, 2))
    assert "month" in exc.value.message_dict


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "issue.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_pdf_renders_in_japanese_with_chart_and_map(client, cast, issue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    services.edit_greeting(
        cast.officer_a, issue, {"ja": "駅前交番からのお知らせです。", "en": "News from the box."}
    )
    services.publish_issue(cast.officer_a, issue)
    response = client.get(f"/newsletters/issues/{issue.pk}/pdf/")  # Japanese by default, no login
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "交番だより" in text and "窃盗" in text and "駅前交番からのお知らせです。" in text
    assert "自転車" in text  # the bicycle-theft advice, chosen by the month's main categories
    path = tmp_path / "issue.pdf"
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert len([line for line in images.splitlines()[2:] if line.strip()]) >= 2  # chart and map
    assert NewsletterPdf.objects.filter(newsletter=issue, language="ja").count() == 1
    english = pdf_text(client.get(f"/newsletters/issues/{issue.pk}/pdf/?lang=en").content, tmp_path)
    assert "Police box newsletter" in english and "Theft" in english


def test_drafts_are_not_public(client, issue) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/newsletters/issues/{issue.pk}/").status_code == 404
    assert client.get(f"/newsletters/issues/{issue.pk}/pdf/").status_code == 404


def test_the_public_box_page_shows_no_personal_data(client, cast, issue, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.councils.world import CONTACT_MARK, NAME_MARK, build_council

    build_council(cast)
    cast.officer_a.display_name = "Officer Yamada"
    cast.officer_a.save()
    services.edit_greeting(cast.officer_a, issue, {"ja": "<script>alert(1)</script>", "en": "<b>hi</b>"})
    services.publish_issue(cast.officer_a, issue)
    response = client.get(f"/newsletters/boxes/{cast.box_a.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for secret in (NAME_MARK, CONTACT_MARK, FINDER_MARK, ITEM_MARK, "Officer Yamada", "officer_a"):
        assert secret not in page
    assert "1 officer serves at this box." in page
    assert f"/newsletters/issues/{issue.pk}/pdf/?lang=ja" in page and "/voice/new/" in page
    # No inline script: every script tag loads a file (the CSP allows no inline code).
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "Content-Security-Policy" in response.headers
    body = client.get(f"/newsletters/issues/{issue.pk}/?lang=ja").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    settings.KOBAN_PUBLIC_OFFICER_NAMES = True
    assert "Officer Yamada" in client.get(f"/newsletters/boxes/{cast.box_a.pk}/").content.decode()
    assert client.get(f"/newsletters/boxes/{cast.box_a.pk}/map.png")["Content-Type"] == "image/png"


def test_unknown_and_closed_boxes_have_no_public_page(client, cast) -> None:  # type: ignore[no-untyped-def]
    cast.box_b.status = "closed"
    cast.box_b.save()
    assert client.get(f"/newsletters/boxes/{cast.box_b.pk}/").status_code == 404
    assert client.get("/newsletters/boxes/999999/").status_code == 404


def test_the_editor_page_is_for_the_box(client, cast, issue) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.post(
        f"/newsletters/issues/{issue.pk}/edit/", {"greeting_ja": "やあ", "greeting_en": "Hi"}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.greeting == {"ja": "やあ", "en": "Hi"}
    assert client.post(f"/newsletters/issues/{issue.pk}/publish/").status_code == 302
    issue.refresh_from_db()
    assert issue.is_published
    sign_in(client, "officer_b")
    assert client.get(f"/newsletters/issues/{issue.pk}/edit/").status_code == 404
    sign_in(client, "counsellor_a")
    assert client.post(f"/newsletters/issues/{issue.pk}/publish/").status_code == 403


def test_make_newsletters_dry_runs_unless_commit(cast, iw) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    out = StringIO()
    call_command("make_newsletters", month=iw.month.strftime("%Y-%m"), stdout=out)
    assert "dry run" in out.getvalue() and not Newsletter.objects.exists()
    call_command("make_newsletters", month=iw.month.strftime("%Y-%m"), commit=True, stdout=out)
    assert Newsletter.objects.filter(month=iw.month).count() == 3  # boxes A, B and C
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("make_newsletters", month="2026-13")
