"""The dashboard's section registry: the apps register their own sections, ``web`` only renders."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import koban.web
from koban.lib import dashboard as registry
from koban.lib.dashboard import DashboardSection, all_sections, register, unregister
from tests.factories import sign_in

EXTRA_CALLS: list[str] = []


def _volunteers(box, user, now):  # type: ignore[no-untyped-def]
    EXTRA_CALLS.append(box.code)
    return {"total": 42, "by_category": [], "pending": []}


VOLUNTEERS = DashboardSection(
    key="test_volunteers",
    title="Volunteer activity",
    order=5,
    build=_volunteers,
    template="counter/dashboard/counter_today.html",
    pdf_template="counter/dashboard/counter_today_pdf.html",
)
NOTHING_TO_SAY = DashboardSection(
    key="test_silent",
    title="Silent section",
    order=6,
    build=lambda box, user, now: None,
    template="counter/dashboard/counter_today.html",
    pdf_template="counter/dashboard/counter_today_pdf.html",
)


@pytest.fixture
def extra_sections() -> Iterator[None]:
    register(VOLUNTEERS)
    register(NOTHING_TO_SAY)
    yield
    unregister(VOLUNTEERS.key)
    unregister(NOTHING_TO_SAY.key)


def test_each_app_registers_its_sections_from_its_own_module() -> None:
    owners = {s.key: s.build.__module__ for s in all_sections()}
    assert owners["on_duty"] == "koban.rosters.dashboard"
    assert owners["open_incidents"] == owners["incident_map"] == "koban.incidents.dashboard"
    assert owners["counter_today"] == "koban.counter.dashboard"
    assert owners["lost_found"] == "koban.lostfound.dashboard"
    assert owners["unpatrolled"] == "koban.patrols.dashboard"
    assert owners["open_requests"] == "koban.voice.dashboard"
    assert owners["visits_due"] == "koban.households.dashboard"
    assert owners["volunteer_activity"] == "koban.volunteers.dashboard"
    assert owners["handover"] == "koban.rosters.dashboard"
    assert not [k for k, module in owners.items() if module.startswith("koban.web")]
    orders = [(s.order, s.key) for s in all_sections()]
    assert orders == sorted(orders)


def test_no_section_is_defined_in_web() -> None:
    """``web`` renders sections; defining or registering one there would tie it to an app's data."""
    offenders = []
    for path in Path(koban.web.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {
                "DashboardSection",
                "register",
            }:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
    templates = Path(koban.web.__file__).parent / "templates" / "web" / "dashboard"
    assert sorted(p.name for p in templates.iterdir()) == ["_card.html"]


def test_a_section_registered_by_another_module_appears_on_the_page(client, cast, extra_sections):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    page = client.get(f"/boxes/{cast.box_a.id}/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert next(s.key for s in page.context["sections"]) == "test_volunteers"
    assert "Volunteer activity" in page.text and ">42<" in page.text
    assert "Silent section" not in page.text
    assert EXTRA_CALLS[-1] == "A"


def test_a_key_registered_twice_is_a_configuration_error(extra_sections) -> None:  # type: ignore[no-untyped-def]
    register(VOLUNTEERS)  # the same object again: a module imported twice
    clash = DashboardSection(**{**VOLUNTEERS.__dict__, "title": "Another"})
    with pytest.raises(ImproperlyConfigured, match="test_volunteers"):
        register(clash)
    with pytest.raises(ImproperlyConfigured, match="not a DashboardSection"):
        register("koban.counter.dashboard.COUNTER_TODAY")  # type: ignore[arg-type]


def test_a_deployment_may_narrow_the_sections_by_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOBAN_DASHBOARD_SECTIONS = ["open_incidents", "on_duty"]
    assert [s.key for s in all_sections()] == ["on_duty", "open_incidents"]
    assert registry.get_section("counter_today") is None
    settings.KOBAN_DASHBOARD_SECTIONS = ["on_duty", "no_such_section"]
    with pytest.raises(ImproperlyConfigured, match="no_such_section"):
        all_sections()


def test_no_app_imports_web() -> None:
    """``web`` sits above the apps (docs/architecture.md): an app that imported it to add a section
    would close the circle this registry exists to avoid. Only the demo and the URL root may."""
    root = Path(koban.web.__file__).parent.parent
    allowed = {root / "web", root / "demo"}
    offenders = []
    for path in root.rglob("*.py"):
        if path.parent == root or any(part in allowed for part in path.parents):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n == "koban.web" or n.startswith("koban.web.") for n in names):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
