"""The incident demo step on the generated demo prefecture (the network the demo really uses)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from koban.demo.generator import generate
from koban.incidents.figures import overall_response
from koban.incidents.models import Incident


@pytest.mark.django_db
def test_the_demo_prefecture_gets_a_year_of_incidents_in_its_beats(tmp_path):  # type: ignore[no-untyped-def]
    with override_settings(DATA_DIR=tmp_path), translation.override("en"), transaction.atomic():
        out = StringIO()
        generate(2026, out, steps=["koban.incidents"], data_dir=tmp_path)
        total = Incident.objects.count()
        assert total > 10_000, out.getvalue()
        # The beats tile the prefecture: hardly anything falls outside them.
        assert Incident.objects.filter(outside_jurisdiction=True).count() < total * 0.02
        assert Incident.objects.filter(box__isnull=False).values("box").distinct().count() > 15
        overall = overall_response(Incident.objects.all())
        assert overall.median_s is not None and 6 * 60 < overall.median_s < 11 * 60
        assert Incident.objects.open().exists()
        transaction.set_rollback(True)
