from __future__ import annotations

import datetime
import io
import random
from zoneinfo import ZoneInfo

import pytest

from koban.demo.context import DemoContext
from koban.lostfound import demo, services
from koban.lostfound.models import FoundItem, Handover, ItemTask, LossReport

pytestmark = pytest.mark.django_db
# A fixed instant, not the suite's: with the cast's two staffed boxes (43 items) whether a task is still
# open on the day depends on the date (none on 2026-06-10, for one).
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_the_demo_has_items_in_every_state_and_loss_reports_that_match(cast):
    context = DemoContext(
        seed=7, agency=cast.agency, now=NOW, stdout=io.StringIO(), rng=random.Random("7:lostfound")
    )
    summary = demo.populate(context)
    states = set(FoundItem.objects.values_list("state", flat=True))
    assert states == set(FoundItem.Status.values), summary
    assert not FoundItem.objects.filter(box=cast.box_c).exists()  # no officers there
    returned = Handover.objects.filter(recipient="owner", loss_report__isnull=False)
    assert returned.exists() and LossReport.objects.filter(status="open").exists()
    assert not Handover.objects.filter(recipient="finder", item__category__holds_personal_data=True).exists()
    # Items received today wait for the next clock run; after it, a second run changes nothing.
    assert set(services.advance_clocks(NOW.date())) <= {"in_notice", "tasks_listed"}
    assert services.advance_clocks(NOW.date()) == {"tasks_listed": 0}
    assert ItemTask.objects.filter(done_at__isnull=True).exists()
    assert "found items" in summary
