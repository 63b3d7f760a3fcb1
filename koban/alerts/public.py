"""What anyone may read or do without signing in: released public alerts (page, list, CAP XML, GeoJSON,
Atom feeds of CAP per area), and subscribing, confirming and unsubscribing by signed links."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from koban.alerts import subscriptions
from koban.alerts.areas import AreaError, polygons_from_geojson
from koban.alerts.forms import SubscribeForm, apply_errors
from koban.alerts.models import Alert
from koban.alerts.tokens import BadTokenError
from koban.geography.models import AdminArea, Beat
from koban.lib.geojson import rfc7946_geometry
from koban.organization.models import Agency, PoliceBox, PoliceStation

FEED_SIZE = 50


def _public_alerts() -> QuerySet[Alert]:
    return Alert.objects.public().select_related("station", "references").prefetch_related("infos", "areas")


def _public_alert(pk: int) -> Alert:
    alert = _public_alerts().filter(pk=pk).first()
    if alert is None:
        raise Http404("No public alert with this id")
    return alert


def public_list(request: HttpRequest) -> HttpResponse:
    alerts = list(_public_alerts().order_by("-sent")[:100])
    language = get_language() or "ja"
    return render(
        request,
        "alerts/public_list.html",
        {"items": [(a, a.info_in(language)) for a in alerts], "agencies": Agency.objects.order_by("code")},
    )


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _public_alert(pk)
    language = get_language() or "ja"
    feature = (
        {"type": "Feature", "geometry": json.loads(alert.geom.geojson), "properties": {}}
        if alert.geom
        else None
    )
    return render(
        request,
        "alerts/public_detail.html",
        {
            "alert": alert,
            "info": alert.info_in(language),
            "areas": list(alert.areas.all()),
            "followers": list(alert.followers.filter(state=Alert.State.RELEASED)),
            "area_json": feature,
        },
    )


def public_cap(request: HttpRequest, pk: int) -> HttpResponse:
    """The CAP 1.2 XML of a released public alert, as it was validated when it was released."""
    alert = _public_alert(pk)
    return HttpResponse(alert.cap_xml, content_type="application/cap+xml; charset=utf-8")


def _feature(alert: Alert, language: str) -> dict[str, Any]:
    info = alert.info_in(language)
    return {
        "type": "Feature",
        "id": alert.pk,
        "geometry": rfc7946_geometry(alert.geom) if alert.geom else None,
        "properties": {
            "identifier": alert.identifier,
            "sent": alert.sent.isoformat() if alert.sent else None,
            "msgType": alert.msg_type,
            "event": info.event if info else "",
            "headline": info.headline if info else "",
            "urgency": info.urgency if info else "",
            "url": reverse("alerts:public-detail", args=[alert.pk]),
            "cap": reverse("alerts:public-cap", args=[alert.pk]),
        },
    }


def public_geojson(request: HttpRequest) -> JsonResponse:
    """Released public alerts as an RFC 7946 FeatureCollection (newest first)."""
    language = get_language() or "ja"
    alerts = _public_alerts().order_by("-sent")[:200]
    return JsonResponse(
        {"type": "FeatureCollection", "features": [_feature(a, language) for a in alerts]},
        content_type="application/geo+json",
    )


def alert_geojson(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(
        _feature(_public_alert(pk), get_language() or "ja"), content_type="application/geo+json"
    )


def _feed_scope(kind: str, key: str) -> tuple[str, QuerySet[Alert]]:
    alerts = _public_alerts()
    if kind == "agency":
        agency = get_object_or_404(Agency, code=key)
        return agency.name, alerts.filter(agency=agency)
    if not key.isdigit():
        raise Http404("Unknown area")
    if kind == "station":
        station = get_object_or_404(PoliceStation, pk=int(key))
        return station.name, alerts.filter(station=station)
    if kind == "box":
        box = get_object_or_404(PoliceBox, pk=int(key))
        beat = Beat.objects.current().filter(box=box).first()
        if beat is None:
            return box.name, alerts.none()
        return box.name, alerts.filter(geom__intersects=beat.geom)
    raise Http404("Unknown kind of area")


def feed(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """Atom feed of the CAP alerts of an agency, a station or a box's beat (each entry links its CAP XML)."""
    title, alerts = _feed_scope(kind, key)
    language = get_language() or "ja"
    items = [(a, a.info_in(language)) for a in alerts.order_by("-sent")[:FEED_SIZE]]
    response = render(
        request,
        "alerts/feed.atom",
        {
            "title": title,
            "items": items,
            "updated": items[0][0].sent if items else None,
            "self": request.build_absolute_uri(),
        },
        content_type="application/atom+xml; charset=utf-8",
    )
    return response


def subscribe(request: HttpRequest) -> HttpResponse:
    """Sign up for e-mail alerts: areas, categories, language, quiet hours; a confirmation link follows."""
    boxes = (
        PoliceBox.objects.filter(beats__version__status="active").distinct().order_by("station__code", "code")
    )
    municipalities = AdminArea.objects.filter(level=AdminArea.Level.MUNICIPALITY).order_by("code")
    initial = {"language": get_language() or "ja"}
    if request.user.is_authenticated:
        initial["email"] = request.user.email  # type: ignore[union-attr]
    form = SubscribeForm(request.POST or None, boxes=boxes, municipalities=municipalities, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drawn = polygons_from_geojson(json.loads(data["drawn_area"])) if data.get("drawn_area") else []
            subscriptions.subscribe_email(
                request.user,
                email=data["email"],
                language=data["language"],
                categories=data.get("categories") or [],
                boxes=data.get("boxes") or [],
                municipalities=data.get("municipalities") or [],
                drawn=drawn,
                quiet_start=data.get("quiet_start"),
                quiet_end=data.get("quiet_end"),
            )
        except (AreaError, ValueError) as exc:
            form.add_error("drawn_area" if not isinstance(exc, ValidationError) else None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "alerts/subscribe_sent.html", {"email": data["email"]})
    return render(request, "alerts/subscribe.html", {"form": form})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = subscriptions.confirm(token)
    except BadTokenError:
        return render(request, "alerts/link_refused.html", status=400)
    return render(request, "alerts/confirmed.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no session or form.
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (the button, or a mail client's one-click request) unsubscribes at once."""
    if request.method == "POST":
        try:
            subscriptions.unsubscribe(token)
        except BadTokenError:
            return render(request, "alerts/link_refused.html", status=400)
        return render(request, "alerts/unsubscribed.html")
    try:
        from koban.alerts.tokens import read_unsubscribe_token

        read_unsubscribe_token(token)
    except BadTokenError:
        return render(request, "alerts/link_refused.html", status=400)
    return render(request, "alerts/unsubscribe.html", {"token": token})


def my_subscriptions(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    from koban.accounts.access import subscriptions_visible_to

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rows = subscriptions_visible_to(request.user).prefetch_related("areas")  # type: ignore[arg-type]
    if request.method == "POST":
        messages.info(request, _("Use the unsubscribe link of any alert e-mail to stop a subscription."))
        return redirect("alerts:mine")
    return render(request, "alerts/my_subscriptions.html", {"subscriptions": rows})
