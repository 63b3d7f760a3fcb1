from __future__ import annotations

import datetime
import io
import random

from koban.accounts.models import Role
from koban.analytics.algorithms.unusual_reading import unusual_readers
from koban.audit import demo
from koban.audit.models import AuditEvent
from koban.demo.context import DemoContext
from tests.factories import make_user
from tests.lostfound.helpers import receive

T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


def test_the_demo_reading_gives_the_report_one_heavy_reader(cast):  # type: ignore[no-untyped-def]
    for n in range(3):
        make_user(Role.BOX_OFFICER, f"demo{n}", agency=cast.agency, station=cast.north, box=cast.box_a)
    for day in ("2026-01-10", "2026-01-11", "2026-01-12", "2026-01-13"):
        receive(cast.officer_a, cast.box_a, day=day)
        receive(cast.officer_b, cast.box_b, day=day)
    context = DemoContext(seed=7, agency=cast.agency, now=T0, stdout=io.StringIO(), rng=random.Random(7))
    summary = demo.populate(context)
    assert "reads far more than the peers" in summary
    counts = AuditEvent.objects.read_counts()
    assert len(counts) == 5  # every box officer read something
    [found] = unusual_readers(counts)
    assert found.count == max(counts.values())
    assert AuditEvent.objects.reads().filter(after__what="demo").count() == AuditEvent.objects.reads().count()
