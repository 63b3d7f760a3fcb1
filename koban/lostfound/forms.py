"""Forms of the lost-property pages; the services do the domain checks, the forms only parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from koban.lib.forms import (
    Form,
    coordinate,
    datetime_field,
    longitude_on_map,
    outside_confirmed_field,
)
from koban.lostfound.models import Handover, ItemCategory
from koban.organization.models import PoliceBox


def language_field(label: Any) -> forms.ChoiceField:
    """The language to write e-mails in (blank: the deployment's default)."""
    return forms.ChoiceField(label=label, choices=[("", "—"), *settings.LANGUAGES], required=False)


class BoxChoiceForm(Form):
    def __init__(self, *args: Any, boxes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["box"].queryset = boxes  # type: ignore[attr-defined]


class ReceiptForm(BoxChoiceForm):
    box = forms.ModelChoiceField(label=_("Police box"), queryset=PoliceBox.objects.none())
    category = forms.ModelChoiceField(label=_("Category"), queryset=ItemCategory.objects.all())
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    found_at = datetime_field(_("Found at"))
    found_place = forms.CharField(label=_("Place found"), max_length=300)
    found_lat = coordinate(_("Latitude"), -90, 90)
    found_lon = longitude_on_map(_("Longitude"))
    handed_in_at = datetime_field(_("Handed in at"))
    found_in_facility = forms.BooleanField(
        label=_("Found in a facility (station, shop, train)"), required=False
    )
    finder_name = forms.CharField(label=_("Finder's name"), max_length=200, required=False)
    finder_contact = forms.CharField(label=_("Finder's contact"), max_length=200, required=False)
    finder_email = forms.EmailField(label=_("Finder's e-mail"), max_length=254, required=False)
    finder_language = language_field(_("Finder's language"))
    facility_name = forms.CharField(label=_("Facility (if found in one)"), max_length=200, required=False)
    facility_claims_reward = forms.BooleanField(
        label=_("Facility claims its share of a reward"), required=False
    )
    facility_claims_item = forms.BooleanField(
        label=_("Facility wants the item if the owner and finder do not take it"), required=False
    )
    finder_claims_reward = forms.BooleanField(label=_("Finder claims a reward"), required=False)
    finder_claims_item = forms.BooleanField(
        label=_("Finder wants the item if the owner is not found"), required=False
    )
    value_estimate = forms.IntegerField(label=_("Estimated value"), min_value=0, required=False)
    cash_amount = forms.IntegerField(label=_("Cash amount"), min_value=0, required=False)
    personal_data_inside = forms.BooleanField(
        label=_("Holds personal data (a licence, cards, a phone)"), required=False
    )
    personal_data_note = forms.CharField(label=_("What holds personal data"), max_length=200, required=False)
    storage_location = forms.CharField(label=_("Kept at"), max_length=200, required=False)
    found_outside_confirmed = outside_confirmed_field()


class LossReportForm(BoxChoiceForm):
    box = forms.ModelChoiceField(label=_("Police box"), queryset=PoliceBox.objects.none())
    category = forms.ModelChoiceField(label=_("Category"), queryset=ItemCategory.objects.all())
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    lost_from = datetime_field(_("Lost from"))
    lost_to = datetime_field(_("Lost by"))
    lost_place = forms.CharField(label=_("Place lost"), max_length=300, required=False)
    lost_lat = coordinate(_("Latitude"), -90, 90)
    lost_lon = longitude_on_map(_("Longitude"))
    owner_name = forms.CharField(label=_("Owner's name"), max_length=200)
    owner_contact = forms.CharField(label=_("Owner's contact"), max_length=200)
    owner_email = forms.EmailField(label=_("Owner's e-mail"), max_length=254, required=False)
    owner_language = language_field(_("Owner's language"))


class HandoverForm(Form):
    recipient = forms.ChoiceField(label=_("Handed to"), choices=Handover.Recipient.choices)
    loss_report = forms.IntegerField(label=_("Loss report number"), required=False, min_value=1)
    recipient_name = forms.CharField(label=_("Recipient's name"), max_length=200)
    recipient_contact = forms.CharField(label=_("Recipient's contact"), max_length=200, required=False)
    id_document = forms.ChoiceField(label=_("Identity document checked"), choices=Handover.Document.choices)
    id_number_last_digits = forms.CharField(label=_("Last digits of the document number"), max_length=4)
    reward_percent = forms.DecimalField(
        label=_("Reward agreed (%)"), required=False, max_digits=5, decimal_places=2
    )
    handed_over_at = datetime_field(_("Handed over at"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TransferForm(Form):
    """Where the station keeps an item handed to its custody."""

    storage_location = forms.CharField(label=_("Kept at the station in"), max_length=200)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StorageForm(Form):
    """Where the item is kept from now on (same holder)."""

    storage_location = forms.CharField(label=_("Now kept at"), max_length=200)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PersonalDataForm(Form):
    """Whether the item carries personal data, and what (kept back from the finder)."""

    inside = forms.BooleanField(label=_("Holds personal data"), required=False)
    personal_data_note = forms.CharField(label=_("What holds personal data"), max_length=200, required=False)


class SaleForm(Form):
    """A sale under the Lost Property Act and its proceeds."""

    proceeds = forms.IntegerField(label=_("Sale proceeds (yen)"), min_value=1, max_value=10**12)
    perishable = forms.BooleanField(label=_("Would perish or cost too much to keep"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ConfirmMatchForm(Form):
    item = forms.IntegerField(label=_("Found item"), min_value=1, max_value=2**31 - 1)
