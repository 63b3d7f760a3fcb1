"""Sending what volunteers saw to the box as a tip, through the residents' request queue (``koban.voice``).

Voice sits below volunteers in the dependency order and owns the one queue that households, councils and
volunteers hand requests to; an observation is forwarded once (its request id is kept).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.audit.services import record
from koban.volunteers.models import ActivityObservation

# The voice category a kind of observation becomes at the box.
CATEGORIES: dict[str, str] = {
    ActivityObservation.Kind.SUSPICIOUS: "suspicious_person",
    ActivityObservation.Kind.HAZARD: "hazard",
    ActivityObservation.Kind.OTHER: "other",
}


def _submit() -> Any:
    try:
        return importlib.import_module("koban.voice.services").submit_request
    except (ImportError, AttributeError):
        return None


def forwarding_available() -> bool:
    """Whether the request queue of the boxes is installed (the voice app's service)."""
    return _submit() is not None


@transaction.atomic
def forward(actor: Any, observation: ActivityObservation) -> Any:
    """Hand *observation* to the box of its place as a tip; refused when already sent or without a place."""
    submit = _submit()
    if submit is None:
        raise ValidationError(_("Tips cannot be sent: the request queue is not installed."))
    if observation.forwarded_at is not None:
        raise ValidationError(_("This observation was already sent to the box."))
    if observation.point is None:
        raise ValidationError(_("Mark the place on the map before sending the observation to the box."))
    group = observation.activity.group
    description = f"{group.name}: {observation.note}"
    request = submit(
        source="volunteer",
        point=observation.point,
        category=CATEGORIES.get(observation.kind, "other"),
        description=description,
        actor=actor,
    )
    observation.forwarded_at = timezone.now()
    observation.forwarded_request_id = getattr(request, "pk", None)
    observation.save(update_fields=["forwarded_at", "forwarded_request_id"])
    record(
        actor,
        "volunteers.observation.forward",
        observation,
        after={"request": observation.forwarded_request_id},
    )
    return request
