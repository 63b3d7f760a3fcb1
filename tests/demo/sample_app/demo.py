"""A demo step that counts the boxes it was given, so the test can see it ran with the context."""

from __future__ import annotations

from koban.demo.context import DemoContext
from koban.organization.models import PoliceBox


def populate(context: DemoContext) -> str:
    boxes = PoliceBox.objects.filter(station__agency=context.agency).count()
    return f"step {context.step} saw {boxes} boxes, first draw {context.rng.random():.6f}"
