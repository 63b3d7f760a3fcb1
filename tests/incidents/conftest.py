"""Helpers shared by the incident tests."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from koban.incidents.models import IncidentCategory


@pytest.fixture
def theft(db) -> IncidentCategory:  # type: ignore[no-untyped-def]
    return IncidentCategory.objects.get(code="theft")


@pytest.fixture
def assault(db) -> IncidentCategory:  # type: ignore[no-untyped-def]
    return IncidentCategory.objects.get(code="assault")


def minutes_ago(n: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=n)
