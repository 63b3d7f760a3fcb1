"""Forms of the council pages: appointing a member, recording a meeting, noting an opinion."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from koban.councils import voice_link
from koban.councils.models import Council, CouncilMember, Meeting, MemberKind
from koban.lib.forms import Form
from koban.lib.widgets import ChipsSelectMultiple
from koban.voice.models import RequestCategory

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CouncilMember) -> str:  # type: ignore[override]
        return str(obj)


class MemberForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MemberKind.choices, initial=MemberKind.RESIDENT)
    name = forms.CharField(label=_("Name"), max_length=200)
    organization = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    is_chair = forms.BooleanField(label=_("Chair"), required=False)
    term_start = forms.DateField(label=_("Term starts"), widget=DATE_WIDGET)


class MeetingForm(Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Meeting.Status.choices, initial=Meeting.Status.HELD)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendees = MemberChoices(
        label=_("Members present"),
        queryset=CouncilMember.objects.none(),
        required=False,
        widget=ChipsSelectMultiple(),
    )
    other_attendees = forms.IntegerField(
        label=_("Other attendees (police, guests)"), min_value=0, max_value=500, initial=0
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["attendees"])
        # Members of any term: the service refuses those not serving on the meeting's day, naming them.
        field.queryset = CouncilMember.objects.filter(council=council, left_on__isnull=True).order_by(
            "-is_chair", "name", "term_start"
        )


class CategoryChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: RequestCategory) -> str:  # type: ignore[override]
        return obj.label()


class OpinionForm(Form):
    category = CategoryChoice(
        label=_("Category"), queryset=RequestCategory.objects.none(), to_field_name="code"
    )
    summary = forms.CharField(label=_("Opinion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    raised_by = forms.ModelChoiceField(
        label=_("Raised by"), queryset=CouncilMember.objects.none(), required=False
    )
    place = forms.CharField(label=_("Place concerned"), max_length=200, required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, prefix="opinion", **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = voice_link.categories()
        cast(forms.ModelChoiceField, self.fields["raised_by"]).queryset = meeting.attendees.all()


class LeaveForm(Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE_WIDGET)
