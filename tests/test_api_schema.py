from __future__ import annotations

from django.core.management import call_command


def test_the_openapi_schema_generates_without_warnings(tmp_path, capsys):  # type: ignore[no-untyped-def]
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    text = target.read_text()
    assert "/api/v1/locate" in text and "/api/v1/beats/" in text


def test_the_schema_and_docs_are_served(client, cast):  # type: ignore[no-untyped-def]
    from tests.factories import PASSWORD

    client.login(username="planner", password=PASSWORD)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()  # served from the sidecar package, works offline
