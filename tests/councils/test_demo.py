"""The demo steps of councils and newsletters on the test prefecture (the full demo is tested in tests/demo)."""

from __future__ import annotations

import random
from io import StringIO

import pytest

from koban.councils import demo as councils_demo
from koban.councils.models import Council, Meeting, Opinion
from koban.councils.reports import report_back
from koban.demo.context import DemoContext
from koban.newsletters import demo as newsletters_demo
from koban.newsletters.models import Newsletter
from koban.voice.models import Source
from tests import clock

pytestmark = pytest.mark.django_db


def test_demo_councils_meet_and_a_year_of_newsletters_is_archived(cast) -> None:  # type: ignore[no-untyped-def]
    context = DemoContext(
        seed=1, agency=cast.agency, now=clock.now(), stdout=StringIO(), rng=random.Random(1)
    )
    summary = councils_demo.populate(context.for_step("councils"))
    # Boxes A and B have an officer and a chief; box C has no officer and gets no council.
    assert summary == "2 liaison councils, 10 meetings"
    assert Council.objects.count() == 2
    assert Opinion.objects.filter(request__source=Source.COUNCIL).count() == 16
    latest = Meeting.objects.held().filter(council__box=cast.box_a).order_by("-held_on").first()
    previous, lines = report_back(latest)
    assert previous is not None and lines and all(line.outcome for line in lines)
    summary = newsletters_demo.populate(context.for_step("newsletters"))
    assert summary == "33 published newsletter issues, 3 drafts"
    assert Newsletter.objects.published().filter(box=cast.box_a).count() == 11
    assert all(issue.greeting["ja"] for issue in Newsletter.objects.all())
