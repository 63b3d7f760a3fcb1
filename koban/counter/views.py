"""Counter log pages: a box's log for today or this week, quick entry (htmx-friendly) and corrections."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import (
    access_counter_box,
    access_matter,
    can_record_counter,
    counter_boxes_visible_to,
)
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.counter.forms import CounterMatterForm
from koban.counter.models import CounterMatter
from koban.counter.services import record_matter, update_matter
from koban.organization.models import PoliceBox


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Straight to one's own box; otherwise a list of the boxes one may see."""
    user = _user(request)
    if user.box_id:
        return redirect("counter:box", user.box_id)
    boxes = counter_boxes_visible_to(user).operating().with_station()
    return render(request, "counter/index.html", {"boxes": boxes})


def _period(request: HttpRequest) -> tuple[str, dt.datetime]:
    period = request.GET.get("period", "today")
    today = timezone.localdate()
    start_day = today - dt.timedelta(days=6) if period == "week" else today
    start = timezone.make_aware(dt.datetime.combine(start_day, dt.time(0)))
    return ("week" if period == "week" else "today"), start


def _log_context(request: HttpRequest, box: PoliceBox) -> dict[str, Any]:
    period, since = _period(request)
    matters = list(CounterMatter.objects.filter(box=box, received_at__gte=since).with_related())
    note_read([m for m in matters if m.person_description], CounterMatter.PERSONAL_FIELDS)
    counts = Counter(m.category.label() for m in matters)
    return {"box": box, "matters": matters, "period": period, "counts": counts.most_common()}


def _add_errors(form: CounterMatterForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def box_log(request: HttpRequest, box_id: int) -> HttpResponse:
    """The counter log of a box with the quick-entry form; an htmx POST gets back only the panel."""
    user = _user(request)
    box = access_counter_box(user, box_id)
    can_record = can_record_counter(user, box)
    htmx = bool(getattr(request, "htmx", False))
    notice = ""
    form = CounterMatterForm(request.POST or None, box=box, user=user) if can_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not record counter matters at this box."))
        if form.is_valid():
            data = dict(form.cleaned_data)
            token = data.pop("client_token", None)
            try:
                matter, created = record_matter(user, box, client_token=token, **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                note = _("Recorded: %(what)s") if created else _("Already recorded: %(what)s")
                notice = note % {"what": matter.category.label()}
                if not htmx:
                    messages.success(request, notice)
                    return redirect("counter:box", box.pk)
                form = CounterMatterForm(box=box, user=user)
    context = _log_context(request, box) | {"form": form, "can_record": can_record, "notice": notice}
    template = "counter/_panel.html" if htmx else "counter/box_log.html"
    # htmx swaps only 2xx answers, so the partial keeps 200 and shows the errors inside the form.
    status = 400 if form is not None and form.errors and not htmx else 200
    return render(request, template, context, status=status)


@login_required
def edit_matter(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = _user(request)
    matter = access_matter(user, matter_id)
    initial = {
        "category": matter.category,
        "channel": matter.channel,
        "received_at": timezone.localtime(matter.received_at),
        "summary": matter.summary,
        "outcome": matter.outcome,
        "outcome_note": matter.outcome_note,
        "handled_by": matter.handled_by,
        "person_description": matter.person_description,
        "handed_over_to": matter.handed_over_to,
        "handed_over_at": timezone.localtime(matter.handed_over_at) if matter.handed_over_at else None,
    }
    form = CounterMatterForm(request.POST or None, box=matter.box, user=user, editing=True, initial=initial)
    if matter.person_description:
        note_read([matter], CounterMatter.PERSONAL_FIELDS)
    if request.method == "POST" and form.is_valid():
        try:
            update_matter(user, matter, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The counter record was updated."))
            return redirect("counter:box", matter.box_id)
    return render(request, "counter/edit.html", {"form": form, "matter": matter, "box": matter.box})
