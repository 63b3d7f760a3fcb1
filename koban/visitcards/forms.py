"""The card form (members, contacts, notes, consent), the break-glass reason, the disaster check forms.

The card form shows each field with the site's label (Japanese or English) and, beside it, the label of
the card's own language (``labels.json``) so that a resident who reads Chinese, Korean or English can
follow what the officer fills in.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from koban.lib.forms import Form
from koban.visitcards.contents import CONTACT_FIELDS, MAX_CONTACTS, MAX_MEMBERS, MEMBER_FIELDS
from koban.visitcards.labels import card_labels
from koban.visitcards.models import CardLanguage, CardType, ConsentScope, SafetyStatus

SPARE_MEMBER_ROWS = 2
SPARE_CONTACT_ROWS = 1

MEMBER_LABELS = {
    "name": _("Name"),
    "reading": _("Reading (kana)"),
    "birth_date": _("Date of birth"),
    "relationship": _("Relationship"),
    "workplace": _("Workplace or school"),
    "needs_help": _("Needs help in an evacuation"),
}
CONTACT_LABELS = {"name": _("Name"), "relationship": _("Relationship"), "phone": _("Telephone")}


def _rows_posted(data: Any, prefix: str, limit: int) -> int:
    """How many rows of *prefix* a posted form carries (the page may have added rows)."""
    indexes = [
        int(key.split("_")[1])
        for key in (data or {})
        if key.startswith(prefix + "_") and key.split("_")[1].isdigit()
    ]
    return min(limit, max(indexes) + 1) if indexes else 0


class CardForm(Form):
    """A card's type, language and contents; on a new card also the household's consent."""

    card_type = forms.ChoiceField(label=_("Card type"), choices=CardType.choices)
    language = forms.ChoiceField(label=_("Card language"), choices=CardLanguage.choices)
    notes = forms.CharField(
        label=_("Notes the household agreed to give"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        contents: dict[str, Any] | None = None,
        new: bool = True,
        language: str = "ja",
        **kwargs: Any,
    ) -> None:
        contents = contents or {"members": [], "contacts": [], "notes": ""}
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else None
        self.card_language = (data.get("language") if data else None) or language
        self.member_count = max(
            _rows_posted(data, "member", MAX_MEMBERS),
            min(MAX_MEMBERS, len(contents["members"]) + SPARE_MEMBER_ROWS),
        )
        self.contact_count = max(
            _rows_posted(data, "contact", MAX_CONTACTS),
            min(MAX_CONTACTS, len(contents["contacts"]) + SPARE_CONTACT_ROWS),
        )
        self._add_rows(contents)
        self.initial.setdefault("notes", contents.get("notes", ""))
        if new:
            self.fields["consent"] = forms.BooleanField(
                label=_("The household agreed to the police keeping this card"), required=False
            )
            self.fields["scopes"] = forms.MultipleChoiceField(
                label=_("Agreed uses"),
                choices=ConsentScope.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            self.fields["confirmed"] = forms.BooleanField(
                label=_("The household confirmed the card today"), required=False
            )

    def _add_rows(self, contents: dict[str, Any]) -> None:
        for i in range(self.member_count):
            member = contents["members"][i] if i < len(contents["members"]) else {}
            for name in MEMBER_FIELDS:
                widget = forms.DateInput(attrs={"type": "date"}) if name == "birth_date" else None
                self.fields[f"member_{i}_{name}"] = forms.CharField(
                    label=MEMBER_LABELS[name], required=False, max_length=200, widget=widget
                )
                self.initial[f"member_{i}_{name}"] = member.get(name, "")
            self.fields[f"member_{i}_needs_help"] = forms.BooleanField(
                label=MEMBER_LABELS["needs_help"], required=False
            )
            self.initial[f"member_{i}_needs_help"] = bool(member.get("needs_help"))
        for i in range(self.contact_count):
            contact = contents["contacts"][i] if i < len(contents["contacts"]) else {}
            for name in CONTACT_FIELDS:
                self.fields[f"contact_{i}_{name}"] = forms.CharField(
                    label=CONTACT_LABELS[name], required=False, max_length=200
                )
                self.initial[f"contact_{i}_{name}"] = contact.get(name, "")

    def contents(self) -> dict[str, Any]:
        """The submitted contents, in the shape ``koban.visitcards.contents.clean_contents`` checks."""
        data = self.cleaned_data
        members = [
            {
                **{name: data.get(f"member_{i}_{name}", "") for name in MEMBER_FIELDS},
                "needs_help": data.get(f"member_{i}_needs_help", False),
            }
            for i in range(self.member_count)
        ]
        contacts = [
            {name: data.get(f"contact_{i}_{name}", "") for name in CONTACT_FIELDS}
            for i in range(self.contact_count)
        ]
        return {"members": members, "contacts": contacts, "notes": data.get("notes", "")}

    def consent_scopes(self) -> list[str]:
        """The agreed uses; none at all when the consent box was not ticked (the card is then refused)."""
        if not self.cleaned_data.get("consent"):
            return []
        return sorted({ConsentScope.KEEP, *self.cleaned_data.get("scopes", [])})

    def member_rows(self) -> list[list[Any]]:
        return [
            [self[f"member_{i}_{name}"] for name in (*MEMBER_FIELDS, "needs_help")]
            for i in range(self.member_count)
        ]

    def contact_rows(self) -> list[list[Any]]:
        return [[self[f"contact_{i}_{name}"] for name in CONTACT_FIELDS] for i in range(self.contact_count)]

    def card_labels(self) -> dict[str, str]:
        return card_labels(self.card_language)


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Why do you need this card?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NameSearchForm(Form):
    name = forms.CharField(label=_("Name or reading"), max_length=100, required=False)


class DisasterCheckForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    area = forms.CharField(
        widget=forms.HiddenInput, required=True, error_messages={"required": _("Draw the area on the map.")}
    )


class SafetyForm(Form):
    card = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=SafetyStatus.choices)


class CustodianForm(Form):
    """The station chief names the officer who keeps a box's visit cards."""

    box: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Police box"), queryset=None)  # type: ignore[arg-type]
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Card custodian"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, boxes: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["box"].queryset = boxes  # type: ignore[attr-defined]
        self.fields["user"].queryset = officers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        box, user = data.get("box"), data.get("user")
        if box is not None and user is not None and user.box_id != box.pk:
            self.add_error("user", _("The custodian must be an officer posted at this box."))
        return data
