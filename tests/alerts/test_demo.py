"""The demo's alerts: subscribers and a history of released alerts with their deliveries, deterministic."""

from __future__ import annotations

import io

import pytest

from koban.alerts import demo
from koban.alerts.models import Alert, Delivery, Subscription
from koban.demo.context import DemoContext
from koban.demo.reset import delete_demo
from tests import clock

pytestmark = pytest.mark.django_db


def test_the_demo_has_subscribers_and_a_history_of_alerts(cast, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(demo, "SUBSCRIBERS", 200)
    context = DemoContext(seed=7, agency=cast.agency, now=clock.now(), stdout=io.StringIO()).for_step(
        "alerts"
    )
    summary = demo.populate(context)
    assert summary.startswith("200 subscribers")
    released = Alert.objects.filter(state=Alert.State.RELEASED)
    assert released.count() >= 20 and all(a.cap_xml for a in released)
    assert Alert.objects.filter(state=Alert.State.DRAFT).count() == 2
    assert Alert.objects.filter(state=Alert.State.REJECTED).count() == 1
    assert Delivery.objects.exclude(state=Delivery.State.SENT).count() == 0 and Delivery.objects.exists()
    assert Subscription.objects.filter(channel="webhook").count() == 2
    again = demo.populate(
        DemoContext(seed=7, agency=cast.agency, now=clock.now(), stdout=io.StringIO()).for_step("alerts")
    )
    assert Subscription.objects.filter(channel="email").count() == 200  # replaced, not added
    assert again.split(",")[0] == summary.split(",")[0]
    delete_demo(cast.agency, "nothing")
    assert not Alert.objects.exists()
