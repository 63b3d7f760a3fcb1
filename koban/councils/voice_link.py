"""The councils' side of the residents' voice queue: categories, handing opinions over, reading back.

Opinions raised at a council meeting become voice requests (source "council") so that they are followed
to an action like any other request; the report back at the next meeting reads their state and the
results of their actions from there. This module is the one place in councils that knows the voice app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from koban.voice import services as voice
from koban.voice.models import Action, Request, RequestCategory, Source

if TYPE_CHECKING:
    from koban.councils.models import Meeting, Opinion


def categories() -> QuerySet[RequestCategory]:
    """The categories an opinion may take: the active residents' voice categories."""
    return RequestCategory.objects.active()


@dataclass(frozen=True)
class Outcome:
    """What became of an opinion: the state of its request and its actions (done ones with results)."""

    status: str
    status_label: str
    results: tuple[str, ...] = ()


def file_request(
    actor: Any, meeting: Meeting, *, category: RequestCategory, summary: str, place: str
) -> Request:
    """File an opinion raised at *meeting* as a council request in the box's voice queue.

    No point: an opinion at a council is about the box's whole beat (a place named in words goes into
    the address); the request carries the meeting as its reference. Runs in the caller's transaction.
    """
    return voice.submit_request(
        source=Source.COUNCIL,
        point=None,
        box=meeting.council.box,
        category=category,
        description=summary,
        address=place,
        actor=actor,
        reference=_("Liaison council meeting of %(day)s") % {"day": meeting.held_on.isoformat()},
    )


def _results(request: Request) -> tuple[str, ...]:
    lines = []
    for action in request.actions.all():
        if action.done_at is not None:
            lines.append(action.result or action.title)
        else:
            lines.append(
                _("Planned: %(what)s (by %(day)s)") % {"what": action.title, "day": action.due_on.isoformat()}
            )
    if request.will_not_act_reason:
        lines.append(request.will_not_act_reason)
    return tuple(lines)


def outcomes(opinions: list[Opinion]) -> dict[int, Outcome]:
    """The outcome of each opinion by id, read from its request and actions in two queries."""
    request_ids = [o.request_id for o in opinions]
    requests = Request.objects.filter(pk__in=request_ids).prefetch_related(
        Prefetch("actions", queryset=Action.objects.order_by("due_on", "id"))
    )
    by_id = {r.pk: r for r in requests}
    found = {}
    for opinion in opinions:
        request = by_id.get(opinion.request_id)
        if request is not None:
            found[opinion.pk] = Outcome(request.status, request.get_status_display(), _results(request))
    return found
