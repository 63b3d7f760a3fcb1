"""Export of one household's card data for the household itself (its right of access).

An officer allowed to open the household's cards produces it (JSON, or a PDF printed with the card's
own labels in ja/en/zh/ko) and hands it over; each export is an audited read of every card it holds
and an ``visitcard.export`` row naming the format. The export goes to the household only: it is never
stored on the server.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from koban.audit.services import record
from koban.lib.pdf import html_to_pdf
from koban.visitcards.labels import card_labels
from koban.visitcards.models import VisitCard, VisitCardQuerySet
from koban.visitcards.services import open_card


def household_data(actor: Any, household: Any, cards: VisitCardQuerySet, fmt: str) -> list[dict[str, Any]]:
    """The household's cards (of *cards*, already scoped to *actor*) with their contents and consents."""
    data = []
    with transaction.atomic():
        for card in cards.filter(household=household).order_by("pk"):
            contents = open_card(actor, card, what=f"export for the household ({fmt})")
            consents = [
                {
                    "given_at": consent.given_at.isoformat(),
                    "scopes": consent.scopes,
                    "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
                }
                for consent in card.consents.order_by("given_at")
            ]
            data.append(
                {
                    "card": card.pk,
                    "card_type": card.card_type,
                    "language": card.language,
                    "confirmed_at": card.confirmed_at.isoformat(),
                    "contents_deleted_at": card.contents_deleted_at.isoformat()
                    if card.contents_deleted_at
                    else None,
                    "consents": consents,
                    **contents,
                }
            )
            record(actor, "visitcard.export", card, after={"format": fmt})
    return data


def export_json(actor: Any, household: Any, cards: VisitCardQuerySet) -> bytes:
    payload = {
        "address": household.address,
        "exported_at": timezone.now().isoformat(),
        "cards": household_data(actor, household, cards, "json"),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2).encode()


def export_pdf(actor: Any, household: Any, cards: VisitCardQuerySet) -> bytes:
    entries = household_data(actor, household, cards, "pdf")
    for entry in entries:
        entry["labels"] = card_labels(entry["language"])
    html = render_to_string(
        "visitcards/export.html",
        {"household": household, "entries": entries, "printed_at": timezone.localtime(), "model": VisitCard},
    )
    return html_to_pdf(html)
