"""One-tap duty pages: sign on and off, going out and back, counter cover and leave requests.

The buttons sit on the box dashboard; each POST lands here and goes back to the page it came from.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_duty_record,
    access_leave_request,
    access_outing,
    access_roster_box,
    boxes_rosterable_by,
    can_decide_leave,
    can_record_cover,
    can_request_leave,
    leave_requests_visible_to,
)
from koban.accounts.models import User
from koban.rosters import services
from koban.rosters.forms import CoverForm, LeaveRequestForm
from koban.rosters.models import LeaveRequest


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _back(request: HttpRequest, box_id: int) -> HttpResponse:
    """To the page the button was on (if it is ours), else the box dashboard."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(reverse("web:dashboard", args=[box_id]))


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def sign_on_view(request: HttpRequest, box_id: int) -> HttpResponse:
    """Sign the officer on now; outside a rostered shift, ask first (GET shows the question)."""
    user = _user(request)
    box = access_roster_box(user, box_id)
    if request.method != "POST":
        return render(
            request, "rosters/sign_on_confirm.html", {"box": box, "next": request.GET.get("next", "")}
        )
    confirmed = request.POST.get("confirm_outside_shift") == "1"
    try:
        services.sign_on(user, box, user, timezone.now(), confirm_outside_shift=confirmed)
    except ValidationError as exc:
        if "confirm_outside_shift" in getattr(exc, "error_dict", {}):
            context = {"box": box, "next": request.POST.get("next", ""), "question": _error_text(exc)}
            return render(request, "rosters/sign_on_confirm.html", context, status=409)
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Signed on at %(box)s.") % {"box": box})
    return _back(request, box.pk)


@login_required
@require_POST
def sign_off_view(request: HttpRequest, duty_id: int) -> HttpResponse:
    user = _user(request)
    duty = access_duty_record(user, duty_id)
    try:
        services.sign_off(user, duty, timezone.now())
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Signed off."))
    return _back(request, duty.box_id)


@login_required
@require_POST
def go_out_view(request: HttpRequest, box_id: int) -> HttpResponse:
    user = _user(request)
    box = access_roster_box(user, box_id)
    try:
        outing = services.go_out(user, box, user, timezone.now(), request.POST.get("kind", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Out of the box: %(kind)s.") % {"kind": outing.get_kind_display()})
    return _back(request, box.pk)


@login_required
@require_POST
def back_view(request: HttpRequest, outing_id: int) -> HttpResponse:
    user = _user(request)
    outing = access_outing(user, outing_id)
    try:
        services.come_back(user, outing, timezone.now())
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Back in the box."))
    return _back(request, outing.box_id)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def cover_view(request: HttpRequest, box_id: int) -> HttpResponse:
    """Enter by hand who took walk-ins while no officer was in (a spouse, a counsellor)."""
    user = _user(request)
    box = access_roster_box(user, box_id)
    if not can_record_cover(user, box):
        raise PermissionDenied(_("You may not enter counter cover at this box."))
    form = CoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_cover(user, box, d["start"], d["end"], d["cover_name"], d["note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Counter cover recorded."))
            return redirect("web:dashboard", box.pk)
    return render(request, "rosters/cover_form.html", {"box": box, "form": form})


@login_required
def leave_requests_view(request: HttpRequest) -> HttpResponse:
    """An officer's own requests and a form to ask; a chief's pending requests to decide."""
    user = _user(request)
    box = user.box if user.box_id else None
    may_ask = box is not None and can_request_leave(user, box)
    form = LeaveRequestForm(request.POST or None) if may_ask else None
    if request.method == "POST":
        if form is None or box is None:
            raise PermissionDenied(_("Only an officer of this box may ask for leave here."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.request_leave(user, box, d["start"], d["end"], d["note"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Leave requested; the station chief decides."))
                return redirect("rosters:leave-requests")
    visible = leave_requests_visible_to(user).select_related("box", "officer", "decided_by")
    context = {
        "form": form,
        "mine": visible.filter(officer=user)[:50],
        "to_decide": visible.filter(
            box__in=boxes_rosterable_by(user), status=LeaveRequest.Status.PENDING
        ).order_by("start")[:100],
    }
    return render(request, "rosters/leave_requests.html", context)


@login_required
@require_POST
def leave_decide_view(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    leave = access_leave_request(user, request_id)
    if not can_decide_leave(user, leave):
        raise PermissionDenied(_("Only the station chief or HQ may decide leave at this box."))
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_leave(user, leave, approve=approve, note=request.POST.get("note", "")[:300])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Leave approved.") if approve else _("Leave refused."))
    return redirect("rosters:leave-requests")


@login_required
@require_POST
def leave_withdraw_view(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    leave = access_leave_request(user, request_id)
    try:
        services.withdraw_leave(user, leave)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("rosters:leave-requests")
