"""The editor's form: the officers' greeting in each language the deployment ships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from koban.lib.forms import Form
from koban.newsletters.services import GREETING_MAX


class GreetingForm(Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"greeting_{code}"] = forms.CharField(
                label=_("Greeting (%(language)s)") % {"language": name},
                max_length=GREETING_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def greeting(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"greeting_{code}", "") for code, _name in settings.LANGUAGES}


class MonthForm(Form):
    month = forms.CharField(label=_("Month (YYYY-MM)"), max_length=7)

    def clean_month(self) -> dt.date:
        raw = self.cleaned_data["month"]
        try:
            return dt.date.fromisoformat(f"{raw}-01")
        except ValueError:
            raise forms.ValidationError(_("Give the month as YYYY-MM.")) from None
