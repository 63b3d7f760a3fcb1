from __future__ import annotations

from tests.factories import sign_in


def test_the_language_switch_changes_the_interface(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    page = client.get(f"/boxes/{cast.box_a.id}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert "警察署" in page.text  # "Police station" label in Japanese
    client.post("/i18n/setlang/", {"language": "en", "next": f"/boxes/{cast.box_a.id}/"})
    page = client.get(f"/boxes/{cast.box_a.id}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert 'lang="en"' in page.text
    assert "Police station" in page.text


def test_box_kinds_are_shown_in_the_users_language(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_b")
    assert "駐在所" in client.get(f"/boxes/{cast.box_b.id}/", HTTP_ACCEPT_LANGUAGE="ja").text
    client.post("/i18n/setlang/", {"language": "en"})
    assert "Chuzaisho" in client.get(f"/boxes/{cast.box_b.id}/").text


def test_box_kinds_come_from_configuration(client, cast, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_BOX_KINDS = [
        {"code": "koban", "labels": {"en": "Community base", "ja": "交番"}, "residential": False},
        {"code": "chuzaisho", "labels": {"en": "Mobile base", "ja": "駐在所"}, "residential": True},
    ]
    sign_in(client, "officer_b")
    client.post("/i18n/setlang/", {"language": "en"})
    assert "Mobile base" in client.get(f"/boxes/{cast.box_b.id}/").text
