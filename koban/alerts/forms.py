"""Forms of the alert pages: the three structured alert forms, the area, decisions, CAP upload, sign-up."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from koban.alerts.areas import AreaError, parse_circle, polygon_text, polygons_from_geojson
from koban.alerts.models import Alert, Category, Status
from koban.alerts.services import AreaSpec
from koban.alerts.texts import AgeRange, Build, Pretext, Sex
from koban.geography.models import AdminArea, Beat
from koban.lib.forms import Form, apply_errors, datetime_field, longitude_on_map
from koban.lib.widgets import ChipsSelectMultiple
from koban.organization.models import PoliceBox, PoliceStation

__all__ = ["FORMS", "AlertForm", "CapUploadForm", "DecisionForm", "apply_errors"]


class AreaKind:
    BEAT = "beat"
    DRAWN = "drawn"
    CIRCLE = "circle"
    CHOICES = (
        (BEAT, _("The box's beat")),
        (DRAWN, _("Drawn on the map")),
        (CIRCLE, _("A circle around a point")),
    )


class AlertForm(Form):
    """What every alert form asks besides its facts: the box, the area and the CAP status."""

    box = forms.ModelChoiceField(label=_("Police box"), queryset=PoliceBox.objects.none())
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Status.ACTUAL, Status.ACTUAL.label),
            (Status.EXERCISE, Status.EXERCISE.label),
            (Status.TEST, Status.TEST.label),
        ],
        initial=Status.ACTUAL,
    )
    area_kind = forms.ChoiceField(label=_("Area"), choices=AreaKind.CHOICES, initial=AreaKind.BEAT)
    area_desc = forms.CharField(label=_("Area description"), max_length=300, required=False)
    drawn_area = forms.CharField(widget=forms.HiddenInput, required=False)
    circle_lat = forms.FloatField(
        label=_("Circle centre latitude"), required=False, min_value=-90, max_value=90
    )
    circle_lon = longitude_on_map(_("Circle centre longitude"))
    circle_radius_km = forms.FloatField(
        label=_("Circle radius (km)"), required=False, min_value=0.01, max_value=1000
    )
    large_area_confirmed = forms.BooleanField(
        label=_("The area is right, even though it is very large"), required=False
    )

    fact_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, boxes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if boxes is None:
            del self.fields["box"]
        else:
            self.fields["box"].queryset = boxes  # type: ignore[attr-defined]

    def answers(self) -> dict[str, Any]:
        """The facts as JSON-ready values (kept on the alert to draft updates from)."""
        out: dict[str, Any] = {}
        for name in self.fact_fields:
            value = self.cleaned_data.get(name)
            out[name] = value.isoformat() if isinstance(value, datetime.datetime) else value
        return out

    def area_specs(self, box: PoliceBox) -> list[AreaSpec]:
        """The chosen area as CAP areas; ``ValidationError`` naming the field that is wrong."""
        data = self.cleaned_data
        desc = data.get("area_desc") or ""
        kind = data.get("area_kind")
        if kind == AreaKind.DRAWN:
            try:
                polygons = polygons_from_geojson(json.loads(data.get("drawn_area") or "null"))
            except (AreaError, ValueError) as exc:
                raise ValidationError(
                    {"area_kind": str(exc) if isinstance(exc, AreaError) else _("Draw the area on the map.")}
                ) from None
            return [AreaSpec(desc or str(_("Drawn area")), [polygon_text(p) for p in polygons])]
        if kind == AreaKind.CIRCLE:
            lat, lon, radius = data.get("circle_lat"), data.get("circle_lon"), data.get("circle_radius_km")
            if lat is None or lon is None or radius is None:
                raise ValidationError(
                    {"circle_radius_km": _("Give the centre and the radius of the circle.")}
                )
            text = f"{lat:.6f},{lon:.6f} {radius:g}"
            try:
                parse_circle(text)
            except AreaError as exc:
                raise ValidationError({"circle_radius_km": str(exc)}) from None
            return [AreaSpec(desc or str(_("Circle")), circles=[text])]
        beat = Beat.objects.current().filter(box=box).first()
        if beat is None:
            raise ValidationError({"area_kind": _("This box has no active beat: draw the area instead.")})
        from shapely import from_wkb

        shape = from_wkb(bytes(beat.geom.wkb))
        return [AreaSpec(desc or beat.name or box.name, [polygon_text(p) for p in shape.geoms])]


class SuspiciousPersonForm(AlertForm):
    occurred_at = datetime_field(_("When"))
    place = forms.CharField(label=_("Where"), max_length=200)
    what_happened = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_range = forms.ChoiceField(label=_("Age"), choices=AgeRange.choices, initial=AgeRange.UNKNOWN)
    height_cm = forms.IntegerField(label=_("Height (cm)"), required=False, min_value=50, max_value=250)
    build = forms.ChoiceField(label=_("Build"), choices=Build.choices, initial=Build.UNKNOWN)
    clothing = forms.CharField(label=_("Clothing"), max_length=300, required=False)
    vehicle = forms.CharField(label=_("Vehicle"), max_length=200, required=False)

    fact_fields = (
        "occurred_at",
        "place",
        "what_happened",
        "sex",
        "age_range",
        "height_cm",
        "build",
        "clothing",
        "vehicle",
    )
    field_order = ("box", *fact_fields)


class FraudCallForm(AlertForm):
    occurred_at = datetime_field(_("Since when"))
    place = forms.CharField(label=_("Where (area of the calls)"), max_length=200)
    pretext = forms.ChoiceField(label=_("The caller pretends to be"), choices=Pretext.choices)
    asked_for = forms.CharField(label=_("What the caller asks for"), max_length=300)
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    fact_fields = ("occurred_at", "place", "pretext", "asked_for", "details")
    field_order = ("box", *fact_fields)


class CrimePreventionForm(AlertForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    place = forms.CharField(label=_("Where"), max_length=200, required=False)

    fact_fields = ("title", "message", "place")
    field_order = ("box", *fact_fields)


FORMS: dict[str, type[AlertForm]] = {
    Alert.FormKind.SUSPICIOUS_PERSON: SuspiciousPersonForm,
    Alert.FormKind.FRAUD_CALL: FraudCallForm,
    Alert.FormKind.CRIME_PREVENTION: CrimePreventionForm,
}


class DecisionForm(Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class CapUploadForm(Form):
    station: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Re-broadcast by station"), queryset=PoliceStation.objects.none()
    )
    cap = forms.FileField(label=_("CAP 1.2 message (XML)"))
    large_area_confirmed = forms.BooleanField(
        label=_("The area is right, even though it is very large"), required=False
    )

    def __init__(self, *args: Any, stations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]


class SubscribeForm(Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(
        label=_("Language of the alerts"), choices=[("ja", "日本語"), ("en", "English")]
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories (none: all)"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    boxes = forms.ModelMultipleChoiceField(
        label=_("Beats of police boxes"),
        queryset=PoliceBox.objects.none(),
        required=False,
        widget=ChipsSelectMultiple(),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=AdminArea.objects.none(),
        required=False,
        widget=ChipsSelectMultiple(),
    )
    drawn_area = forms.CharField(widget=forms.HiddenInput, required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args: Any, boxes: Any = None, municipalities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["boxes"].queryset = boxes  # type: ignore[attr-defined]
        self.fields["municipalities"].queryset = municipalities  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("boxes") or data.get("municipalities") or data.get("drawn_area")):
            raise forms.ValidationError(
                _("Choose at least one area: a box's beat, a municipality or an area drawn on the map.")
            )
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return data
