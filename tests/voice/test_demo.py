"""The demo's residents' requests: every category and state, actions, and the same rows for one seed."""

from __future__ import annotations

import datetime
import io
import random
from zoneinfo import ZoneInfo

import pytest

from koban.demo.context import DemoContext
from koban.voice import demo
from koban.voice.models import Action, Request, RequestCategory, Status

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _populate(cast, seed: int = 7) -> str:  # type: ignore[no-untyped-def]
    context = DemoContext(
        seed=seed, agency=cast.agency, now=NOW, stdout=io.StringIO(), rng=random.Random(f"{seed}:voice")
    )
    return demo.populate(context)


def test_the_demo_has_requests_in_every_state_and_category_with_actions(cast):  # type: ignore[no-untyped-def]
    summary = _populate(cast)
    assert set(Request.objects.values_list("status", flat=True)) == set(Status.values), summary
    assert set(Request.objects.values_list("category__code", flat=True)) == set(
        RequestCategory.objects.values_list("code", flat=True)
    )
    for request in Request.objects.select_related("beat", "box"):
        assert request.beat.box_id == request.box_id and request.beat.geom.contains(request.point)
        assert request.requested_at <= NOW and request.updated_at <= NOW
    assert Action.objects.filter(kind="patrol_focus", geom__isnull=False).exists()
    assert all(a.requests.count() == 1 for a in Action.objects.all())
    assert "residents' requests" in summary


def test_one_seed_gives_the_same_requests(cast):  # type: ignore[no-untyped-def]
    _populate(cast)
    first = list(
        Request.objects.order_by("pk").values_list("token", "status", "category__code", "requested_at")
    )
    Action.objects.all().delete()
    Request.objects.all().delete()
    _populate(cast)
    assert (
        list(Request.objects.order_by("pk").values_list("token", "status", "category__code", "requested_at"))
        == first
    )
