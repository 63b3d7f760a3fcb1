"""Pages of residents' voice: the public form and outcomes, and the box's queue and action items."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_action,
    access_request,
    access_request_for_work,
    actions_visible_to,
    can_change_request,
    can_see_reporter,
    can_work_on_action,
    requests_visible_to,
)
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.geography.models import Beat
from koban.lib.forms import apply_errors
from koban.lib.geo import lonlat_problem
from koban.voice import services
from koban.voice.forms import HONEYPOT, ActionForm, CompleteForm, PublicRequestForm, StatusForm
from koban.voice.limits import client_address, hit
from koban.voice.models import (
    Action,
    Moderation,
    Request,
    RequestCategory,
    Source,
    Status,
)
from koban.voice.public import public_requests, public_view

QUEUE_PAGE = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# -- The public side (no login) -----------------------------------------------------------------------


def _rate_problem(request: HttpRequest, email: str) -> str | None:
    if not hit("form-ip", client_address(request), settings.KOBAN_VOICE_RATE_PER_IP):
        return _("Too many requests from your connection. Please try again later or call the box.")
    if email and not hit("form-email", email, settings.KOBAN_VOICE_RATE_PER_EMAIL):
        return _("Too many requests with this e-mail address. Please try again later or call the box.")
    return None


def _submit_public(request: HttpRequest, form: PublicRequestForm) -> Request | None:
    data = form.cleaned_data
    point = Point(data["lon"], data["lat"], srid=4326)
    reporter = services.Reporter(
        name=data["reporter_name"],
        email=data["reporter_email"],
        phone=data["reporter_phone"],
        hide_name=data["hide_name"],
        language=translation.get_language() or "",
    )
    try:
        return services.submit_request(
            source=Source.PUBLIC,
            point=point,
            category=data["category"],
            description=data["description"],
            reporter=reporter,
            occurred_at=data["occurred_at"],
            address=data["address"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def new_request(request: HttpRequest) -> HttpResponse:
    """The public form: a pin on the map, a category and a few words; contact details optional."""
    form = PublicRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            # A robot filled the hidden field: it gets the normal thanks, and nothing is stored.
            return redirect("voice:thanks")
        if form.is_valid():
            problem = _rate_problem(request, form.cleaned_data["reporter_email"])
            if problem:
                form.add_error(None, problem)
                status = 429
            else:
                created = _submit_public(request, form)
                if created is not None:
                    return redirect("voice:public-request", created.token)
        status = 400 if status == 200 else status
    return render(request, "voice/new.html", {"form": form, "map_config": _form_map()}, status=status)


def _form_map() -> dict[str, Any]:
    """Where the form's map opens: over the current beats (the whole deployment), tiles if configured."""
    extent = Beat.objects.current().aggregate(extent=Extent("geom"))["extent"]
    if extent:
        centre = [(extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2]
    else:
        default: tuple[float, float] = settings.LEAFLET_CONFIG["DEFAULT_CENTER"]  # type: ignore[assignment]
        centre = [default[1], default[0]]
    return {
        "tileUrl": settings.KOBAN_MAP_TILE_URL,
        "tileAttribution": settings.KOBAN_MAP_TILE_ATTRIBUTION,
        "center": centre,
        "zoom": 13,
    }


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "voice/thanks.html")


def public_request(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """One request as the public sees it (the reporter follows it here with the link they were given)."""
    found = public_requests().filter(token=token).first()
    if found is None:
        raise Http404(_("No such request."))
    return render(request, "voice/public_request.html", {"shown": public_view(found)})


def outcomes(request: HttpRequest) -> HttpResponse:
    """Recent requests and what became of them, optionally of one box."""
    found = public_requests().order_by("-updated_at", "-id")
    box_id = request.GET.get("box", "")
    if _small_id(box_id):
        found = found.filter(box_id=int(box_id))
    shown = [public_view(r) for r in found[:100]]
    return render(request, "voice/outcomes.html", {"shown": shown})


def _small_id(text: str) -> bool:
    return text.isdigit() and len(text) < 10


def similar(request: HttpRequest) -> JsonResponse:
    """Possible duplicates for the form: same category, within 50 m, in the last 30 days (public view)."""
    given = request.GET.get("category", "")
    category = RequestCategory.objects.active().filter(pk=int(given)).first() if _small_id(given) else None
    lon, lat = request.GET.get("lon"), request.GET.get("lat")
    if category is None or lonlat_problem(lon, lat) is not None:
        return JsonResponse({"results": []})
    point = Point(float(lon), float(lat), srid=4326)  # type: ignore[arg-type]
    found = public_requests().near_duplicates(category, point, timezone.now())[:5]
    results = []
    for shown in map(public_view, found):
        results.append(
            {
                "status": shown.request.get_status_display(),
                "category": shown.request.category.label(),
                "requested_on": timezone.localtime(shown.request.requested_at).date().isoformat(),
                "description": shown.description,
            }
        )
    return JsonResponse({"results": results})


# -- The box's side --------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The requests of the boxes the user works with: open ones first, with the moderation queue."""
    user = _user(request)
    scope = requests_visible_to(user).with_related()
    wanted = request.GET.get("status", "open")
    if wanted == "open":
        listed = scope.open()
    elif wanted in Status.values:
        listed = scope.filter(status=wanted)
    else:
        listed = scope
    context = {
        "requests": listed[:QUEUE_PAGE],
        "wanted": wanted,
        "statuses": Status.choices,
        "moderation": scope.awaiting_moderation().count(),
    }
    return render(request, "voice/queue.html", context)


def _detail_context(user: User, found: Request) -> dict[str, Any]:
    shows_reporter = can_see_reporter(user, found)
    if shows_reporter and any(getattr(found, f) for f in Request.PERSONAL_FIELDS):
        note_read([found], [f for f in Request.PERSONAL_FIELDS if getattr(found, f)])
    duplicates = []
    if found.point is not None:
        nearby = requests_visible_to(user).near_duplicates(found.category_id, found.point, found.requested_at)
        duplicates = list(nearby.exclude(pk=found.pk).with_related()[:10])
    may_change = can_change_request(user, found)
    return {
        "found": found,
        "shows_reporter": shows_reporter,
        "may_change": may_change,
        "duplicates": duplicates,
        "actions": found.actions.all(),
        "shown": public_view(found),
        "Moderation": Moderation,
    }


@login_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    found = access_request(user, request_id)
    context = _detail_context(user, found)
    if context["may_change"]:
        context["status_form"] = StatusForm(initial={"status": found.status})
        context["action_form"] = ActionForm(box=found.box, initial={"title": found.category.label()})
    return render(request, "voice/request.html", context)


def _show_errors(request: HttpRequest, user: User, found: Request, **forms: Any) -> HttpResponse:
    context = _detail_context(user, found)
    context.setdefault("status_form", StatusForm(initial={"status": found.status}))
    context.setdefault("action_form", ActionForm(box=found.box))
    context.update(forms)
    return render(request, "voice/request.html", context, status=400)


@login_required
@require_POST
def change_status(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    found = access_request_for_work(user, request_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            changed = services.change_status(user, found, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The request is now: %(status)s.") % {"status": changed.get_status_display()}
            )
            return redirect("voice:request", found.pk)
    return _show_errors(request, user, found, status_form=form)


@login_required
@require_POST
def moderate(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    found = access_request_for_work(user, request_id)
    try:
        services.moderate(user, found, request.POST.get("decision", "")[:20])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("voice:request", found.pk)


@login_required
@require_POST
def make_action(request: HttpRequest, request_id: int) -> HttpResponse:
    """Turn a request into an action item of its box."""
    user = _user(request)
    found = access_request_for_work(user, request_id)
    form = ActionForm(request.POST, box=found.box)
    if form.is_valid():
        try:
            action = services.create_action(user, [found], **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Action item created."))
            return redirect("voice:action", action.pk)
    return _show_errors(request, user, found, action_form=form)


@login_required
def actions(request: HttpRequest) -> HttpResponse:
    """Open action items by due date (overdue first), then the recently finished."""
    user = _user(request)
    scope = actions_visible_to(user).with_related()
    context = {
        "open": scope.open().order_by("due_on", "id")[:QUEUE_PAGE],
        "done": scope.filter(done_at__isnull=False).order_by("-done_at")[:50],
        "today": timezone.localdate(),
    }
    return render(request, "voice/actions.html", context)


@login_required
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    user = _user(request)
    action = access_action(user, action_id)
    may_work = can_work_on_action(user, action)
    form = CompleteForm() if may_work and action.done_at is None else None
    return render(request, "voice/action.html", _action_context(action, may_work, form))


def _action_context(action: Action, may_work: bool, form: CompleteForm | None) -> dict[str, Any]:
    return {
        "action": action,
        "requests": action.requests.with_related(),
        "may_work": may_work,
        "form": form,
        "geojson": action.geom.geojson if action.geom else "",
    }


@login_required
@require_POST
def complete_action(request: HttpRequest, action_id: int) -> HttpResponse:
    user = _user(request)
    action = access_action(user, action_id)
    if not can_work_on_action(user, action):
        raise PermissionDenied(_("You may not change the action items of this box."))
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.complete_action(user, action, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The action item is done."))
            return redirect("voice:action", action.pk)
    return render(request, "voice/action.html", _action_context(action, True, form), status=400)
