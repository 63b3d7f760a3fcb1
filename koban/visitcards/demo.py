"""Demo visit cards: cards for about a quarter of the demo households, encrypted with the demo keyring.

Giving a card is voluntary and fewer households agree each year: cards confirmed long ago are more
common than recent ones, so the oldest fall beyond ``KOBAN_CARD_RETENTION_YEARS`` and show up for
review; a few households withdrew their consent (contents deleted). Each box gets its first officer
as card custodian. Runs after the household registry (``koban.households``); with no households it
makes no cards. The key file ``$KOBAN_DATA_DIR/card-keys.json`` (0600) is created if missing.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction

from koban.accounts.models import Role, User
from koban.audit.services import record_bulk
from koban.demo import names
from koban.demo.context import DemoContext
from koban.households.models import Household
from koban.visitcards.contents import has_care_needs, searchable_names
from koban.visitcards.crypto.envelope import seal
from koban.visitcards.crypto.keyring import ensure_key_file, key_file_path, keyring
from koban.visitcards.crypto.names import name_tokens
from koban.visitcards.models import (
    CardCustodian,
    CardLanguage,
    CardType,
    Consent,
    ConsentScope,
    NameToken,
    VisitCard,
)
from koban.visitcards.services import flag_for_review

CARD_SHARE = 0.27
# Weight of a card last confirmed 0, 1, … 7 years ago: uptake falls as refusals rise.
YEARS_AGO_WEIGHTS = [0.7, 0.8, 1.0, 1.1, 1.3, 1.4, 1.5, 1.6]
WITHDRAWN_SHARE = 0.03
LANGUAGES = [
    (CardLanguage.JA, 0.93),
    (CardLanguage.EN, 0.03),
    (CardLanguage.ZH, 0.025),
    (CardLanguage.KO, 0.015),
]
CARD_TYPES = {
    "house": CardType.HOUSEHOLD,
    "apartment_unit": CardType.HOUSEHOLD,
    "apartment_building": CardType.APARTMENT_BUILDING,
    "business": CardType.BUSINESS_OFFICE,
    "public_office": CardType.BUSINESS_OFFICE,
}
READINGS = {
    "佐藤": "さとう",
    "鈴木": "すずき",
    "高橋": "たかはし",
    "田中": "たなか",
    "伊藤": "いとう",
    "渡辺": "わたなべ",
}
RELATIONS = ["本人", "妻", "夫", "長男", "長女", "次男", "次女", "母", "父"]
WORKPLACES = ["桜ヶ丘市役所", "緑川小学校", "桜ヶ丘中学校", "駅前商店街", "市立病院", "自営業", ""]
NOTES = ["", "", "", "夜間は不在のことが多い", "犬を飼っている", "日中は高齢の母のみ在宅"]


def _member(rng: random.Random, surname: str, relation: str, born: int) -> dict[str, Any]:
    return {
        "name": f"{surname} {rng.choice(names.GIVEN_NAMES)}",
        "reading": READINGS.get(surname, ""),
        "birth_date": datetime.date(born, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "relationship": relation,
        "workplace": rng.choice(WORKPLACES) if born > 1955 else "",
        "needs_help": born < 1948 and rng.random() < 0.45,
    }


def _contents(rng: random.Random, year: int) -> dict[str, Any]:
    surname = rng.choice(names.SURNAMES)
    head_born = rng.randint(1935, 1995)
    members = [_member(rng, surname, "本人", head_born)]
    for n in range(rng.choice([0, 1, 1, 2, 2, 3])):
        members.append(
            _member(
                rng,
                surname,
                RELATIONS[1 + n % (len(RELATIONS) - 1)],
                min(year - 1, head_born + rng.randint(-3, 35)),
            )
        )
    contact = f"{rng.choice(names.SURNAMES)} {rng.choice(names.GIVEN_NAMES)}"
    contacts = [
        {
            "name": contact,
            "relationship": "親族",
            "phone": f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        }
    ]
    notes = rng.choice(NOTES)
    if any(m["needs_help"] for m in members):
        notes = "避難時は介助が必要（歩行が困難）"
    return {"members": members, "contacts": contacts, "notes": notes}


def _weighted(rng: random.Random, pairs: list[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _appoint_custodians(households: list[Household], at: datetime.datetime) -> int:
    boxes = {h.box_id for h in households}
    officers: dict[int, User] = {}
    for officer in User.objects.filter(role=Role.BOX_OFFICER, box_id__in=boxes, is_active=True).order_by(
        "username"
    ):
        if officer.box_id is not None:
            officers.setdefault(officer.box_id, officer)
    CardCustodian.objects.bulk_create(
        [
            CardCustodian(box_id=box_id, user=user, starts_at=at - datetime.timedelta(days=365))
            for box_id, user in officers.items()
        ]
    )
    return len(officers)


def populate(context: DemoContext) -> str:
    path = key_file_path()
    if path is not None and ensure_key_file(path):
        context.progress(f"created the card keyring {path} (mode 0600)")
    ring = keyring()
    rng, now = context.rng, context.now
    households = list(
        Household.objects.filter(agency=context.agency, box__isnull=False)
        .select_related("box")
        .order_by("pk")
    )
    chosen = [h for h in households if rng.random() < CARD_SHARE]
    with transaction.atomic():
        custodians = _appoint_custodians(households, now)
        cards, contents = [], []
        for household in chosen:
            years_ago = rng.choices(range(len(YEARS_AGO_WEIGHTS)), weights=YEARS_AGO_WEIGHTS)[0]
            confirmed = now - datetime.timedelta(days=365 * years_ago + rng.randint(0, 300))
            cards.append(
                VisitCard(
                    household=household,
                    card_type=CARD_TYPES.get(household.kind, CardType.HOUSEHOLD),
                    language=_weighted(rng, LANGUAGES),
                    box=household.box,
                    confirmed_at=confirmed,
                )
            )
            contents.append(_contents(rng, confirmed.year))
        VisitCard.objects.bulk_create(cards, batch_size=2000)
        consents, tokens, withdrawn = [], [], 0
        for card, data in zip(cards, contents, strict=True):
            scopes = sorted(
                {
                    ConsentScope.KEEP,
                    *rng.sample([ConsentScope.CONTACT_FAMILY, ConsentScope.DISASTER], rng.randint(1, 2)),
                }
            )
            consent = Consent(card=card, given_at=card.confirmed_at, scopes=scopes)
            if rng.random() < WITHDRAWN_SHARE:
                consent.withdrawn_at = card.confirmed_at + datetime.timedelta(days=rng.randint(30, 300))
                card.contents_deleted_at = min(consent.withdrawn_at, now)
                withdrawn += 1
            else:
                sealed = seal(card.pk, data, ring)
                card.key_id, card.wrapped_key, card.payload = (
                    sealed.key_id,
                    sealed.wrapped_key,
                    sealed.payload,
                )
                card.has_care_needs = has_care_needs(data)
                tokens += [
                    NameToken(card=card, token=t) for t in sorted(name_tokens(searchable_names(data), ring))
                ]
            consents.append(consent)
        fields = ["key_id", "wrapped_key", "payload", "has_care_needs", "contents_deleted_at"]
        VisitCard.objects.bulk_update(cards, fields, batch_size=2000)
        Consent.objects.bulk_create(consents, batch_size=2000)
        NameToken.objects.bulk_create(tokens, batch_size=5000)
        if cards:
            record_bulk("demo", "visitcard.create", VisitCard, count=len(cards), after={"demo": True})
        flagged = flag_for_review("demo", now)
    care = sum(1 for card in cards if card.has_care_needs)
    return (
        f"{len(cards)} visit cards for {len(households)} households ({withdrawn} withdrawn, {care} with someone "
        f"needing help, {flagged} due for retention review), {custodians} card custodians"
    )
