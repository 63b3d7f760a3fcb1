"""The printed patrol card (巡回連絡・警ら記録): a patrol's route on a static map, its stops with times,
observations and the patrol cards left, on one A4 page to file or hand to the next shift.

It shows what the patrol's page shows to the same reader (``access_patrol``; counsellors get no
suspicious-person observations), and notes the personal records printed for the audit trail.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.accounts.access import access_patrol, cards_visible_to, observations_visible_to
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.geography.models import Beat
from koban.lib.mapimage import beat_map_png_data_uri
from koban.lib.pdf import PrintInputError, bad_print_input, pdf_response, print_language, render_pdf
from koban.patrols.models import Observation, Patrol, PatrolCard, PatrolStop
from koban.rosters.reports import box_zone

STOP_COLOUR = "#1f5fbf"
CARD_COLOUR = "#2e7d32"
OBSERVATION_COLOUR = "#e07b00"


def _xy(record: Any) -> tuple[float, float] | None:
    point = getattr(record, "point", None)
    return (point.x, point.y) if point is not None else None


def route_map(
    patrol: Patrol, stops: list[PatrolStop], observations: list[Observation], cards: list[PatrolCard]
) -> str:
    """The patrol's route over its box's current beat, with stops, observations and cards, as a data URI."""
    beat = Beat.objects.current().filter(box_id=patrol.box_id).first()
    beats = [json.loads(beat.geom.geojson)] if beat else []
    lines = [[(x, y) for x, y, *_rest in line] for line in json.loads(patrol.route.geojson)["coordinates"]]
    points: list[tuple[float, float, str]] = []
    for records, colour in ((stops, STOP_COLOUR), (observations, OBSERVATION_COLOUR), (cards, CARD_COLOUR)):
        points.extend((*xy, colour) for r in records if (xy := _xy(r)))
    legend = [
        (_("Stops"), STOP_COLOUR),
        (_("Observations"), OBSERVATION_COLOUR),
        (_("Patrol cards left"), CARD_COLOUR),
    ]
    box = patrol.box.location
    return beat_map_png_data_uri(
        beats,
        points,
        legend,
        lines=lines,
        box_point=(box.x, box.y) if box else None,
        size_inches=(6.5, 4.6),
    )


@login_required
def patrol_card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """One patrol as an A4 PDF: facts, route map, stops, observations and cards (``?lang=``)."""
    user: User = request.user  # type: ignore[assignment]
    patrol = access_patrol(user, pk)
    try:
        language = print_language(request)
    except PrintInputError as exc:
        return bad_print_input(exc)
    stops = list(patrol.stops.all())
    observations = list(observations_visible_to(user).filter(patrol=patrol))
    cards = list(cards_visible_to(user).filter(patrol=patrol))
    note_read(cards, PatrolCard.PERSONAL_FIELDS)
    note_read(observations, Observation.PERSONAL_FIELDS)
    zone = box_zone(patrol.box)
    with translation.override(language):
        map_uri = route_map(patrol, stops, observations, cards)
    context = {
        "patrol": patrol,
        "officers": list(patrol.officers.all()),
        "stops": stops,
        "observations": observations,
        "cards": cards,
        "map_uri": map_uri,
        "printed_at": timezone.localtime(timezone=zone),
        "printed_by": user,
    }
    pdf = render_pdf("patrols/print/patrol_card.html", context, language, zone)
    started = timezone.localtime(patrol.started_at, zone)
    return pdf_response(pdf, f"patrol-{patrol.box.code}-{started:%Y%m%d-%H%M}-{patrol.pk}-{language}.pdf")
