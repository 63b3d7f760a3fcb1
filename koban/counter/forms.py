"""The counter entry form: quick to fill in on a phone, custody details only when needed."""

from __future__ import annotations

import uuid
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import counter_handlers
from koban.accounts.models import User
from koban.counter.models import Channel, CounterCategory, Outcome
from koban.lib.forms import Form
from koban.organization.models import PoliceBox

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: CounterCategory) -> str:  # type: ignore[override]
        return obj.label()


class CounterMatterForm(Form):
    category = CategoryChoice(queryset=CounterCategory.objects.active(), label=_("Category"))
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.WALK_IN, label=_("Channel"))
    received_at = forms.DateTimeField(label=_("Received at"), widget=DATETIME_WIDGET)
    summary = forms.CharField(label=_("Summary"), max_length=500)
    outcome = forms.ChoiceField(choices=Outcome.choices, initial=Outcome.RESOLVED, label=_("Outcome"))
    outcome_note = forms.CharField(
        label=_("Outcome details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    handled_by = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Handled by"))
    person_description = forms.CharField(label=_("Person in custody"), max_length=300, required=False)
    handed_over_to = forms.CharField(label=_("Handed over to"), max_length=200, required=False)
    handed_over_at = forms.DateTimeField(label=_("Handed over at"), required=False, widget=DATETIME_WIDGET)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    CUSTODY_FIELDS = ("person_description", "handed_over_to", "handed_over_at")

    def __init__(self, *args, box: PoliceBox, user: User, editing: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        staff = counter_handlers(box, user)
        handler = cast(forms.ModelChoiceField, self.fields["handled_by"])
        handler.queryset = staff.order_by("username")
        self.fields["handled_by"].initial = user.pk
        if editing:
            category = cast(forms.ModelChoiceField, self.fields["category"])
            category.queryset = CounterCategory.objects.all()
            del self.fields["client_token"]
        else:
            self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
            self.fields["client_token"].initial = uuid.uuid4()
        self.custody_ids = list(CounterCategory.objects.filter(custody=True).values_list("pk", flat=True))
