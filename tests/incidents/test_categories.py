from __future__ import annotations

import pytest

from koban.incidents.categories import DEFAULT_CATEGORIES, seed_default_categories
from koban.incidents.models import IncidentCategory

pytestmark = pytest.mark.django_db


def test_an_empty_table_gets_the_defaults_back():  # type: ignore[no-untyped-def]
    IncidentCategory.objects.all().delete()
    seed_default_categories()
    assert IncidentCategory.objects.count() == len(DEFAULT_CATEGORIES)
    assert IncidentCategory.objects.get(code="lost_child").label("ja") == "迷子・行方不明"


def test_a_deployment_s_own_choice_is_left_alone():  # type: ignore[no-untyped-def]
    IncidentCategory.objects.exclude(code="other").delete()
    seed_default_categories()
    assert list(IncidentCategory.objects.values_list("code", flat=True)) == ["other"]


def test_labels_fall_back_to_english_then_the_code():  # type: ignore[no-untyped-def]
    category = IncidentCategory(code="graffiti", labels={"en": "Graffiti"})
    assert category.label("ja") == "Graffiti"
    assert IncidentCategory(code="graffiti").label("en") == "graffiti"
