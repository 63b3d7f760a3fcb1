"""Disaster safety check pages: draw an area, list the households to reach, record each check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from koban.accounts.access.refusal import find_or_record
from koban.accounts.access.visitcards import (
    access_disaster_check,
    cards_visible_to,
    disaster_boxes_of,
    disaster_checks_visible_to,
)
from koban.accounts.models import User
from koban.geography.maps import map_config
from koban.lib.forms import apply_errors
from koban.visitcards.disaster import open_check, others_by_box, parse_area, record_safety, rows_for
from koban.visitcards.forms import DisasterCheckForm, SafetyForm


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def checks(request: HttpRequest) -> HttpResponse:
    """The user's disaster checks and, for officers who may open one, the map to draw a new area on."""
    user = _user(request)
    boxes = list(disaster_boxes_of(user).order_by("code"))
    form = DisasterCheckForm(request.POST or None) if boxes else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not open a disaster safety check."))
        if form.is_valid():
            try:
                area = parse_area(form.cleaned_data["area"])
                check = open_check(user, _home_box(user, boxes), form.cleaned_data["title"], area)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("visitcards:disaster", check.pk)
    context = {
        "form": form,
        "checks": disaster_checks_visible_to(user).select_related("box")[:50],
        "map_config": map_config(),
    }
    return render(
        request, "visitcards/disaster_checks.html", context, status=400 if form and form.errors else 200
    )


def _home_box(user: User, boxes: list) -> object:  # type: ignore[type-arg]
    """The box a check is filed under: the user's own box if they may use it, else the first of theirs."""
    return next((box for box in boxes if box.pk == user.box_id), boxes[0])


@login_required
@sensitive_variables()
def check(request: HttpRequest, check_id: int) -> HttpResponse:
    """The households with cards in the area that flagged someone needing help, with contacts for the
    officers of that area; record each household's status."""
    user = _user(request)
    found = access_disaster_check(user, check_id)
    readable = cards_visible_to(user)
    form = SafetyForm(request.POST or None)
    if request.method == "POST":
        card = find_or_record(user, readable, request.POST.get("card"))
        if card is None:
            form.add_error(None, _("Unknown household."))
        elif form.is_valid():
            try:
                record_safety(user, found, card, form.cleaned_data["status"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Check recorded."))
                return redirect("visitcards:disaster", found.pk)
    rows = rows_for(user, found, readable, request=request)
    context = {
        "check": found,
        "rows": rows,
        "others": others_by_box(found, readable),
        "form": form,
        "area": found.area.geojson,
        "map_config": map_config(),
    }
    return render(request, "visitcards/disaster_check.html", context, status=400 if form.errors else 200)
