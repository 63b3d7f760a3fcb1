"""Pages of alerts for police staff: the list, drafting with a structured form, approval, follow-ups,
receiving a partner's CAP message, and the delivery progress of a released alert (polled by htmx)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_alert,
    access_alert_for_decision,
    alerts_visible_to,
    boxes_alertable_by,
    can_approve_alert,
    can_draft_alerts,
    can_follow_up_alert,
    can_import_cap,
    stations_visible_to,
)
from koban.alerts import services
from koban.alerts.forms import FORMS, CapUploadForm, DecisionForm, apply_errors
from koban.alerts.models import Alert, Delivery
from koban.geography.maps import map_config
from koban.runs.uploads import upload_rejection


def _feature(alert: Alert) -> dict[str, Any] | None:
    if alert.geom is None:
        return None
    return {"type": "Feature", "geometry": json.loads(alert.geom.geojson), "properties": {"id": alert.pk}}


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = alerts_visible_to(request.user).select_related("station", "box").prefetch_related("infos")  # type: ignore[arg-type]
    state = request.GET.get("state", "")
    if state in Alert.State.values:
        alerts = alerts.filter(state=state)
    return render(
        request,
        "alerts/alert_list.html",
        {
            "alerts": alerts[:200],
            "state": state,
            "states": Alert.State.choices,
            "kinds": Alert.FormKind.choices,
            "can_draft": can_draft_alerts(request.user),  # type: ignore[arg-type]
            "can_import": can_import_cap(request.user),  # type: ignore[arg-type]
        },
    )


def _save_draft(request: HttpRequest, form: Any, kind: str, original: Alert | None) -> Alert | None:
    data = form.cleaned_data
    box = original.box if original is not None else data["box"]
    try:
        areas = form.area_specs(box) if box is not None else None
        if original is not None:
            return services.draft_update(
                request.user,
                original,
                data=form.answers(),
                areas=areas if data.get("area_kind") != "beat" or original.box else None,
                large_area_confirmed=data.get("large_area_confirmed", False),
            )
        assert box is not None  # noqa: S101 - the form requires a box for a new alert
        return services.draft_alert(
            request.user,
            box=box,
            kind=kind,
            data=form.answers(),
            areas=areas or [],
            status=data["status"],
            large_area_confirmed=data.get("large_area_confirmed", False),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


@login_required
def alert_new(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in FORMS:
        raise Http404("Unknown form")
    boxes = boxes_alertable_by(request.user)  # type: ignore[arg-type]
    if not boxes.exists():
        raise PermissionDenied(_("Only police officers of a box, station chiefs and HQ draft alerts."))
    form = FORMS[kind](request.POST or None, boxes=boxes, initial={"box": request.user.box_id})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        alert = _save_draft(request, form, kind, None)
        if alert is not None:
            messages.success(request, _("Draft saved. The station chief approves it before it is sent."))
            return redirect("alerts:detail", alert.pk)
    return render(
        request,
        "alerts/alert_form.html",
        {"form": form, "kind": Alert.FormKind(kind), "map_config": map_config(layers={}, mode="draw")},
    )


@login_required
def alert_update(request: HttpRequest, pk: int) -> HttpResponse:
    original = access_alert(request.user, pk)  # type: ignore[arg-type]
    if not can_follow_up_alert(request.user, original) or not original.form_kind:  # type: ignore[arg-type]
        raise PermissionDenied(_("You may not update this alert."))
    form = FORMS[original.form_kind](request.POST or None, initial=original.form_data | {"area_kind": "beat"})
    if request.method == "POST" and form.is_valid():
        alert = _save_draft(request, form, original.form_kind, original)
        if alert is not None:
            messages.success(request, _("Update drafted. The station chief approves it before it is sent."))
            return redirect("alerts:detail", alert.pk)
    context = {
        "form": form,
        "kind": Alert.FormKind(original.form_kind),
        "original": original,
        "map_config": map_config(layers={}, mode="draw"),
    }
    return render(request, "alerts/alert_form.html", context)


@login_required
@require_POST
def alert_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    original = access_alert(request.user, pk)  # type: ignore[arg-type]
    if not can_follow_up_alert(request.user, original):  # type: ignore[arg-type]
        raise PermissionDenied(_("You may not cancel this alert."))
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        alert = services.draft_cancel(request.user, original, form.cleaned_data.get("reason") or "")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("alerts:detail", original.pk)
    messages.success(request, _("Cancellation drafted. The station chief approves it before it is sent."))
    return redirect("alerts:detail", alert.pk)


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(request.user, pk)  # type: ignore[arg-type]
    feature = _feature(alert)
    return render(
        request,
        "alerts/alert_detail.html",
        {
            "alert": alert,
            "infos": list(alert.infos.all()),
            "areas": list(alert.areas.all()),
            "followers": list(alert.followers.all()),
            "can_decide": alert.state == Alert.State.DRAFT and can_approve_alert(request.user, alert),  # type: ignore[arg-type]
            "can_follow_up": alert.state == Alert.State.RELEASED and can_follow_up_alert(request.user, alert),  # type: ignore[arg-type]
            "progress": _progress(alert),
            "decision_form": DecisionForm(),
            "map_config": map_config(layers={}, mode="detail", area=feature),
        },
    )


def _progress(alert: Alert) -> dict[str, Any]:
    counts = Delivery.objects.progress(alert)
    total = sum(counts.values())
    done = counts[Delivery.State.SENT] + counts[Delivery.State.FAILED] + counts[Delivery.State.BOUNCED]
    return {
        "counts": counts,
        "rows": [(label, counts[state]) for state, label in Delivery.State.choices],
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "running": alert.state == Alert.State.RELEASED and (total == 0 or done < total),
    }


@login_required
def alert_progress(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(request.user, pk)  # type: ignore[arg-type]
    return render(request, "alerts/_progress.html", {"alert": alert, "progress": _progress(alert)})


@login_required
@require_POST
def alert_approve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert_for_decision(request.user, pk)  # type: ignore[arg-type]
    try:
        services.approve_alert(request.user, alert)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Alert approved and released: it is being sent to the subscribers in its area.")
        )
    return redirect("alerts:detail", alert.pk)


@login_required
@require_POST
def alert_reject(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert_for_decision(request.user, pk)  # type: ignore[arg-type]
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.reject_alert(request.user, alert, form.cleaned_data.get("reason") or "")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Draft rejected."))
    return redirect("alerts:detail", alert.pk)


@login_required
def cap_receive(request: HttpRequest) -> HttpResponse:
    """Receive a partner's CAP message (e.g. a municipal disaster notice) as a draft for re-broadcast."""
    if not can_import_cap(request.user):  # type: ignore[arg-type]
        raise PermissionDenied(_("Only station chiefs and HQ receive partners' CAP messages."))
    stations = stations_visible_to(request.user)  # type: ignore[arg-type]
    form = CapUploadForm(request.POST or None, request.FILES or None, stations=stations)
    problems: list[str] = []
    if request.method == "POST" and (too_large := upload_rejection(request)):
        form.add_error("cap", too_large)
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.receive_cap(
                request.user,
                form.cleaned_data["cap"].read(),
                station=form.cleaned_data["station"],
                large_area_confirmed=form.cleaned_data.get("large_area_confirmed", False),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"cap": exc.messages}
            # The problems of the message are listed one per line; the others (area) go on the form.
            problems = errors.pop("cap", [])
            apply_errors(form, ValidationError(errors))
        else:
            messages.success(request, _("CAP message received as a draft; approve it to re-broadcast it."))
            return redirect("alerts:detail", alert.pk)
    return render(request, "alerts/cap_receive.html", {"form": form, "problems": problems})
