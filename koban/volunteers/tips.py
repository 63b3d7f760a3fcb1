"""Sending what volunteers saw to the box as a tip, through the residents' request queue (``koban.voice``).

Voice sits below volunteers in the dependency order and owns the one queue that households, councils and
volunteers hand requests to; the box whose beat holds the place receives it. An observation is forwarded
once (its request id is kept).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.audit.services import record
from koban.voice import services as voice
from koban.voice.models import RequestCategory, Source
from koban.volunteers.models import ActivityObservation

# The request category a kind of observation becomes at the box.
CATEGORIES: dict[str, str] = {
    ActivityObservation.Kind.SUSPICIOUS: "suspicious_person",
    ActivityObservation.Kind.HAZARD: "other",
    ActivityObservation.Kind.OTHER: "other",
}


def _category(kind: str) -> RequestCategory:
    code = CATEGORIES.get(kind, "other")
    found = RequestCategory.objects.filter(code=code, active=True).first()
    return found or RequestCategory.objects.get(code="other")


@transaction.atomic
def forward(actor: Any, observation: ActivityObservation) -> Any:
    """Hand *observation* to the box of its place as a tip; refused when already sent or without a place.

    The request is submitted by the volunteer channel (volunteers record no requests for a box
    themselves); this module's audit row names the person who sent it.
    """
    if observation.forwarded_at is not None:
        raise ValidationError(_("This observation was already sent to the box."))
    if observation.point is None:
        raise ValidationError(_("Mark the place on the map before sending the observation to the box."))
    activity = observation.activity
    description = f"{activity.group.name} ({activity.get_kind_display()}): {observation.note}"
    request = voice.submit_request(
        source=Source.VOLUNTEER,
        point=observation.point,
        category=_category(observation.kind),
        description=description,
        occurred_at=observation.observed_at,
        reference=f"volunteer-observation-{observation.pk}",
    )
    observation.forwarded_at = timezone.now()
    observation.forwarded_request_id = request.pk
    observation.save(update_fields=["forwarded_at", "forwarded_request_id"])
    record(actor, "volunteers.observation.forward", observation, after={"request": request.pk})
    return request
