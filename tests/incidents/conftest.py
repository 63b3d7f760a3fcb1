"""Helpers shared by the incident tests."""

from __future__ import annotations

import pytest

from koban.incidents.models import IncidentCategory
from tests.clock import minutes_ago

__all__ = ["assault", "minutes_ago", "theft"]  # minutes_ago: kept importable from here


@pytest.fixture
def theft(db) -> IncidentCategory:  # type: ignore[no-untyped-def]
    return IncidentCategory.objects.get(code="theft")


@pytest.fixture
def assault(db) -> IncidentCategory:  # type: ignore[no-untyped-def]
    return IncidentCategory.objects.get(code="assault")
