"""Pages of the shift handover log (引継簿): the box's log with its form, and the acknowledge button.

The dashboard's "Handover" section (``koban.rosters.dashboard``) shows what waits for the signed-in
officer; its button posts here. Under htmx the answer is empty and tells the page to fetch the section
again (``HX-Trigger: refresh-handover``); without script it goes back to the dashboard.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_handover_box,
    access_handover_entry,
    acknowledges_handover_at,
    can_acknowledge_handover,
    handover_entries_visible_to,
)
from koban.accounts.models import User
from koban.lib.forms import apply_errors
from koban.rosters import handover
from koban.rosters.forms import HandoverForm
from koban.rosters.models import HandoverAcknowledgement

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def handover_log(request: HttpRequest, box_id: int) -> HttpResponse:
    """The box's handover log, newest first and paged, with who acknowledged each entry; POST writes one."""
    user = _user(request)
    box = access_handover_box(user, box_id)
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            handover.write_handover(
                user, box, d["text"], timezone.now(), priority=d["priority"], links=form.link_list()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Handed over to the next shift."))
            return redirect("rosters:handover", box.pk)
    acks = HandoverAcknowledgement.objects.select_related("officer")
    entries = (
        handover_entries_visible_to(user)
        .filter(box=box)
        .select_related("written_by")
        .prefetch_related(Prefetch("acknowledgements", queryset=acks))
        .order_by("-written_at", "-id")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.may_acknowledge = can_acknowledge_handover(user, entry)  # type: ignore[attr-defined]
        mine = [a for a in entry.acknowledgements.all() if a.officer_id == user.pk]
        entry.acknowledged_by_me = bool(mine)  # type: ignore[attr-defined]
    context = {"box": box, "form": form, "page": page, "officer": acknowledges_handover_at(user, box)}
    return render(request, "rosters/handover_log.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def acknowledge(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The signed-in officer has read the entry (idempotent)."""
    user = _user(request)
    entry = access_handover_entry(user, entry_id)
    handover.acknowledge_handover(user, entry, timezone.now())
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Trigger": "refresh-handover"})
    messages.success(request, _("Acknowledged."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("rosters:handover", entry.box_id)
