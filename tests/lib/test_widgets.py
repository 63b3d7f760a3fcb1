"""The shared form widgets: the map picker pairs a longitude with its latitude, chips are check boxes."""

from __future__ import annotations

import pytest
from django import forms

from koban.lib.forms import Form, coordinate, longitude_on_map
from koban.lib.widgets import ChipsSelectMultiple, latitude_name


def test_the_latitude_is_named_like_the_longitude() -> None:
    assert latitude_name("found_lon") == "found_lat"
    assert latitude_name("lon") == "lat"
    assert latitude_name("stop-circle_lon") == "stop-circle_lat"
    with pytest.raises(ValueError, match="longitude"):
        latitude_name("found_place")


class _PlaceForm(Form):
    found_lat = coordinate("Latitude", -90, 90)
    found_lon = longitude_on_map("Longitude")
    people = forms.MultipleChoiceField(choices=[("1", "A"), ("2", "B")], widget=ChipsSelectMultiple())


def test_the_picker_renders_a_map_bound_to_both_fields_and_keeps_the_range() -> None:
    form = _PlaceForm(prefix="x")
    html = str(form["found_lon"])
    assert 'name="x-found_lon"' in html
    assert 'data-lat-name="x-found_lat"' in html and 'data-lon-name="x-found_lon"' in html
    assert "data-beats-url=" in html
    assert "web/picker.js" in str(form.media)
    bad = _PlaceForm({"x-found_lat": "35", "x-found_lon": "999"}, prefix="x")
    assert not bad.is_valid() and "found_lon" in bad.errors


def test_chips_are_check_boxes_not_a_multi_select() -> None:
    html = str(_PlaceForm()["people"])
    assert 'class="chips"' in html and html.count('type="checkbox"') == 2 and "<select" not in html
