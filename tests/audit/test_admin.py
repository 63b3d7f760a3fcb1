"""The admin is no back door: personal-data records are read-only there, configuration edits and
user postings leave audit rows with before and after."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from koban.accounts.models import Role
from koban.audit.admin import AuditedConfigAdmin, ReadOnlyAdmin
from koban.audit.models import AuditEvent
from koban.counter.models import CounterCategory
from koban.geography.importers.admin_views import NetworkAdminMixin
from koban.lostfound.models import FoundItem
from tests.factories import make_agency, make_station, make_user
from tests.lostfound.helpers import receive


@pytest.fixture
def superuser(cast):  # type: ignore[no-untyped-def]
    return make_user(Role.ADMINISTRATOR, "root", is_staff=True, is_superuser=True)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_every_registered_admin_is_read_only_audited_or_saves_through_services(superuser) -> None:  # type: ignore[no-untyped-def]
    from koban.accounts.admin import UserAdmin

    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        safe = isinstance(model_admin, ReadOnlyAdmin | AuditedConfigAdmin | NetworkAdminMixin | UserAdmin)
        # Third-party admins (the job queue's) must at least be read-only.
        read_only = not model_admin.has_add_permission(request) and not model_admin.has_change_permission(
            request
        )
        assert safe or read_only, f"{model._meta.label} is editable in the admin without the audit trail"


@pytest.mark.parametrize(
    "model_name",
    ["founditem", "lossreport", "handover", "itemtask"],
)
def test_lost_property_records_cannot_be_added_or_changed_in_the_admin(cast, superuser, model_name):  # type: ignore[no-untyped-def]
    response = _client(superuser).get(f"/admin/lostfound/{model_name}/add/")
    assert response.status_code == 403


def test_opening_a_found_item_in_the_admin_shows_it_read_only_and_records_the_read(cast, superuser):  # type: ignore[no-untyped-def]
    item = receive(cast.officer_a, cast.box_a)
    client = _client(superuser)
    response = client.get(f"/admin/lostfound/founditem/{item.pk}/change/")
    assert response.status_code == 200
    assert b'name="finder_name"' not in response.content  # shown as text, not as a field to edit
    read = AuditEvent.objects.get(action="lostfound.founditem.read")
    assert read.actor == superuser and read.object_id == str(item.pk) and read.records_read == 1
    assert read.after["fields"] == ["finder_contact", "finder_email", "finder_name"]
    assert read.station_id == cast.north.pk

    posted = client.post(f"/admin/lostfound/founditem/{item.pk}/change/", {"finder_name": "X"})
    assert posted.status_code == 403
    item.refresh_from_db()
    assert item.finder_name == "山田太郎"


def test_patrol_cards_and_counter_matters_are_read_only(cast, superuser):  # type: ignore[no-untyped-def]
    client = _client(superuser)
    for url in (
        "/admin/patrols/patrolcard/add/",
        "/admin/patrols/patrol/add/",
        "/admin/counter/countermatter/add/",
    ):
        assert client.get(url).status_code == 403, url


def test_editing_a_configuration_category_records_before_and_after(cast, superuser):  # type: ignore[no-untyped-def]
    category = CounterCategory.objects.create(
        code="test", labels={"en": "Test", "ja": "テスト"}, sort_order=5
    )
    client = _client(superuser)
    form = {"code": "test", "labels": '{"en": "Test", "ja": "テスト"}', "sort_order": "7", "active": "on"}
    response = client.post(f"/admin/counter/countercategory/{category.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="counter.countercategory.update")
    assert event.before["sort_order"] == 5 and event.after["sort_order"] == 7
    assert event.actor == superuser and event.note == "admin"


def test_deleting_a_configuration_row_records_it(cast, superuser):  # type: ignore[no-untyped-def]
    category = CounterCategory.objects.create(code="gone", labels={"en": "Gone"}, sort_order=9)
    client = _client(superuser)
    response = client.post(f"/admin/counter/countercategory/{category.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="counter.countercategory.delete")
    assert event.before["code"] == "gone"


def _user_form(user, **changes):  # type: ignore[no-untyped-def]
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "display_name": user.display_name,
        "badge_number": user.badge_number,
        "agency": user.agency_id or "",
        "station": user.station_id or "",
        "box": user.box_id or "",
        "language": user.language,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_a_role_and_posting_change_in_the_admin_is_audited(cast, superuser):  # type: ignore[no-untyped-def]
    officer = cast.officer_a
    response = _client(superuser).post(
        f"/admin/accounts/user/{officer.pk}/change/",
        _user_form(officer, role=Role.STATION_CHIEF, station=cast.north.pk, box=""),
    )
    assert response.status_code == 302, response.content[:3000]
    event = AuditEvent.objects.get(action="user.posting")
    assert event.object_id == str(officer.pk) and event.actor == superuser
    assert event.before == {"role": Role.BOX_OFFICER, "box": cast.box_a.pk}
    assert event.after == {"role": Role.STATION_CHIEF, "box": None}


def test_deactivating_a_user_is_audited_and_users_cannot_be_deleted(cast, superuser):  # type: ignore[no-untyped-def]
    officer = cast.officer_b
    client = _client(superuser)
    data = _user_form(officer)
    data.pop("is_active")
    assert client.post(f"/admin/accounts/user/{officer.pk}/change/", data).status_code == 302
    event = AuditEvent.objects.get(action="user.posting")
    assert event.before == {"is_active": True} and event.after == {"is_active": False}
    assert client.get(f"/admin/accounts/user/{officer.pk}/delete/").status_code == 403


def test_an_inconsistent_posting_is_refused_on_the_field(cast, superuser):  # type: ignore[no-untyped-def]
    officer = cast.officer_a
    response = _client(superuser).post(
        f"/admin/accounts/user/{officer.pk}/change/", _user_form(officer, station=cast.south.pk)
    )
    assert response.status_code == 200
    assert b"does not belong to the station" in response.content
    assert not AuditEvent.objects.filter(action="user.posting").exists()


def test_an_agency_administrator_sees_only_the_agency_users(cast):  # type: ignore[no-untyped-def]
    admin_user = make_user(Role.ADMINISTRATOR, "agency-admin", agency=cast.agency, is_staff=True)
    other = make_station(make_agency(code="Z1", name="Elsewhere"), code="Z")
    stranger = make_user(Role.STATION_CHIEF, "stranger", agency=other.agency, station=other)
    client = _client(admin_user)
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    assert b"officer_a" in listing.content and b"stranger" not in listing.content
    assert client.get(f"/admin/accounts/user/{stranger.pk}/change/").status_code in (302, 404)
    # Only a superuser can make a superuser.
    page = client.get(f"/admin/accounts/user/{cast.officer_a.pk}/change/")
    assert b'name="is_superuser"' not in page.content


def test_box_staff_and_planners_have_no_user_admin(cast):  # type: ignore[no-untyped-def]
    assert _client(cast.planner).get("/admin/accounts/user/").status_code == 403


def test_found_items_are_unchanged_by_the_read_only_admin(cast, superuser):  # type: ignore[no-untyped-def]
    receive(cast.officer_a, cast.box_a)
    assert _client(superuser).get("/admin/lostfound/founditem/").status_code == 200
    assert FoundItem.objects.count() == 1
    # The change list shows no personal fields, so it writes no read row.
    assert not AuditEvent.objects.filter(action__endswith=".read").exists()


def test_read_only_admin_lists_are_limited_to_the_boxes_the_user_sees(cast):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    receive(cast.officer_a, cast.box_a)
    viewer = make_user(Role.ADMINISTRATOR, "other-admin", agency=cast.outsider.agency, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_founditem"))
    listing = _client(viewer).get("/admin/lostfound/founditem/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 0
    assert _client(cast.planner).get("/admin/lostfound/founditem/").status_code == 403  # no model permission


def test_opening_a_partner_contact_in_the_admin_records_the_read(cast, superuser):  # type: ignore[no-untyped-def]
    from koban.partners.models import Partner, PartnerContact

    partner = Partner.objects.create(name="Ekimae Shotengai", kind="shop_street", agency=cast.agency)
    contact = PartnerContact.objects.create(partner=partner, name="佐藤花子", phone="04-7000-0000")
    client = _client(superuser)
    assert client.get(f"/admin/partners/partnercontact/{contact.pk}/change/").status_code == 200
    read = AuditEvent.objects.get(action="partners.partnercontact.read")
    assert read.actor == superuser and read.object_id == str(contact.pk)
    assert read.after["fields"] == ["email", "name", "phone"]
    # The list shows no personal fields, so it records no read.
    assert client.get("/admin/partners/partnercontact/").status_code == 200
    assert AuditEvent.objects.filter(action="partners.partnercontact.read").count() == 1
