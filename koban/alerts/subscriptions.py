"""Verbs of subscriptions: sign up (double opt-in), confirm, unsubscribe, register a partner's webhook,
and mark bounced addresses. Each runs in one transaction and writes the audit trail.

A subscriber chooses any number of areas: boxes' current beats, municipalities and polygons drawn on a map.
Their union is kept on the subscription for the one spatial query that selects an alert's recipients.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from shapely.geometry import Polygon

from koban.alerts.areas import as_multipolygon
from koban.alerts.models import Channel, Delivery, Subscription, SubscriptionArea
from koban.alerts.tokens import BadTokenError, confirm_token, read_confirm_token, read_unsubscribe_token
from koban.audit.services import record
from koban.geography.models import AdminArea, Beat
from koban.organization.models import PoliceBox


def _shape(geom: Any) -> Any:
    return shapely.from_wkb(bytes(geom.wkb))


def _areas(
    boxes: Iterable[PoliceBox], municipalities: Iterable[AdminArea], drawn: Sequence[Polygon]
) -> list[SubscriptionArea]:
    areas = []
    for box in boxes:
        beat = Beat.objects.current().filter(box=box).first()
        if beat is None:
            raise ValidationError({"boxes": _("%(box)s has no active beat.") % {"box": box.name}})
        areas.append(
            SubscriptionArea(kind=SubscriptionArea.Kind.BEAT, beat=beat, label=box.name, geom=beat.geom)
        )
    for area in municipalities:
        areas.append(
            SubscriptionArea(
                kind=SubscriptionArea.Kind.MUNICIPALITY, admin_area=area, label=area.name, geom=area.geom
            )
        )
    for polygon in drawn:
        areas.append(
            SubscriptionArea(
                kind=SubscriptionArea.Kind.DRAWN, label=str(_("Drawn area")), geom=as_multipolygon([polygon])
            )
        )
    if not areas:
        raise ValidationError(_("Choose at least one area."))
    return areas


def _create(areas: list[SubscriptionArea], now: datetime.datetime, **fields: Any) -> Subscription:
    union = as_multipolygon([_shape(a.geom) for a in areas])
    subscription = Subscription.objects.create(geom=union, created_at=now, **fields)
    for area in areas:
        area.subscription = subscription
    SubscriptionArea.objects.bulk_create(areas)
    return subscription


def public_url(path: str) -> str:
    return f"{settings.KOBAN_PUBLIC_URL}{path}"


def send_confirmation(subscription: Subscription) -> None:
    """The double opt-in e-mail: nothing is sent to the address until its owner follows the link."""
    with translation.override(subscription.language):
        link = public_url(reverse("alerts:confirm", args=[confirm_token(subscription.pk)]))
        body = _(
            "Someone (probably you) asked to receive police alerts at this address.\n\n"
            "To confirm, open this link within 7 days:\n%(link)s\n\n"
            "If it was not you, ignore this message: nothing will be sent."
        ) % {"link": link}
        EmailMessage(_("Confirm your alert subscription"), body, to=[subscription.email]).send()


@transaction.atomic
def subscribe_email(
    actor: Any,
    *,
    email: str,
    language: str,
    categories: Sequence[str] = (),
    boxes: Iterable[PoliceBox] = (),
    municipalities: Iterable[AdminArea] = (),
    drawn: Sequence[Polygon] = (),
    quiet_start: datetime.time | None = None,
    quiet_end: datetime.time | None = None,
    now: datetime.datetime | None = None,
) -> Subscription:
    """Record an unconfirmed e-mail subscription and send the confirmation link (after commit)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    subscription = _create(
        _areas(boxes, municipalities, drawn),
        now or timezone.now(),
        channel=Channel.EMAIL,
        email=email.strip().lower(),
        language=language,
        categories=sorted(set(categories)),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        user=user,
    )
    record(actor, "alert_subscription.create", subscription, after={"areas": subscription.areas.count()})
    transaction.on_commit(lambda: send_confirmation(subscription))
    return subscription


@transaction.atomic
def register_webhook(
    actor: Any,
    *,
    name: str,
    url: str,
    boxes: Iterable[PoliceBox] = (),
    municipalities: Iterable[AdminArea] = (),
    drawn: Sequence[Polygon] = (),
    categories: Sequence[str] = (),
    language: str = "ja",
    now: datetime.datetime | None = None,
) -> Subscription:
    """A partner system's webhook; its HMAC secret is generated here and shown once to the partner."""
    if not url.startswith(("https://", "http://")):
        raise ValidationError({"url": _("The webhook URL must start with https:// or http://.")})
    now = now or timezone.now()
    subscription = _create(
        _areas(boxes, municipalities, drawn),
        now,
        channel=Channel.WEBHOOK,
        name=name[:200],
        webhook_url=url,
        webhook_secret=secrets.token_hex(32),
        language=language,
        categories=sorted(set(categories)),
        confirmed_at=now,
    )
    record(actor, "alert_subscription.webhook", subscription, after={"name": name, "url": url})
    return subscription


@transaction.atomic
def confirm(token: str, now: datetime.datetime | None = None) -> Subscription:
    """Confirm the subscription of a signed link; ``BadTokenError`` for a changed or expired link."""
    subscription = Subscription.objects.select_for_update().filter(pk=read_confirm_token(token)).first()
    if subscription is None or subscription.unsubscribed_at is not None:
        raise BadTokenError("no such subscription")
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now or timezone.now()
        subscription.save(update_fields=["confirmed_at"])
        record(None, "alert_subscription.confirm", subscription)
    return subscription


@transaction.atomic
def unsubscribe(token: str, now: datetime.datetime | None = None) -> Subscription:
    """End the subscription of a signed one-click link; ``BadTokenError`` if the link was changed."""
    subscription = Subscription.objects.select_for_update().filter(pk=read_unsubscribe_token(token)).first()
    if subscription is None:
        raise BadTokenError("no such subscription")
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = now or timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
        Delivery.objects.filter(subscription=subscription, state=Delivery.State.PENDING).update(
            state=Delivery.State.FAILED, last_error="unsubscribed"
        )
        record(None, "alert_subscription.unsubscribe", subscription)
    return subscription


@transaction.atomic
def mark_bounced(actor: Any, addresses: Iterable[str], now: datetime.datetime | None = None) -> int:
    """Stop sending to addresses that bounced; returns how many subscriptions were marked."""
    now = now or timezone.now()
    wanted = {a.strip().lower() for a in addresses if a.strip()}
    subscriptions = list(
        Subscription.objects.select_for_update().filter(
            channel=Channel.EMAIL, email__in=wanted, bounced_at__isnull=True
        )
    )
    for subscription in subscriptions:
        subscription.bounced_at = now
        subscription.disabled_at = now
        subscription.disabled_reason = "bounced"
        subscription.save(update_fields=["bounced_at", "disabled_at", "disabled_reason"])
        Delivery.objects.filter(
            subscription=subscription, state__in=[Delivery.State.SENT, Delivery.State.PENDING]
        ).filter(
            pk__in=Delivery.objects.filter(subscription=subscription).order_by("-pk").values("pk")[:1]
        ).update(state=Delivery.State.BOUNCED, last_error="bounce report")
        record(actor, "alert_subscription.bounce", subscription)
    return len(subscriptions)
