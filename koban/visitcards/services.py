"""Changing and opening visit cards: every function here writes the card's audit row.

Callers (pages, API, commands, jobs) first ask ``koban.accounts.access`` which card or household the
user may touch; these functions then do the work in one transaction. The contents are encrypted here
and only here (``_seal_into``) and decrypted only by ``open_card``, which records the read. Audit rows
carry metadata (type, language, version, counts), never a name, a date of birth or a phone number.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from koban.audit.services import record, record_bulk, record_read
from koban.visitcards.contents import clean_contents, has_care_needs, searchable_names
from koban.visitcards.crypto.envelope import Sealed, seal, unseal
from koban.visitcards.crypto.keyring import keyring
from koban.visitcards.crypto.names import name_token, name_tokens
from koban.visitcards.models import (
    AccessGrant,
    CardCustodian,
    CardType,
    Consent,
    ConsentScope,
    NameToken,
    VisitCard,
    VisitCardQuerySet,
)

MIN_REASON_LENGTH = 10


class CardConflictError(Exception):
    """The card was changed by someone else since the version the edit was made on."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _(
                "This card was changed by someone else (now version %(version)d). Reload it and make your change again."
            )
            % {"version": current_version}
        )
        self.current_version = current_version


@dataclass(frozen=True)
class CardInput:
    """What a form or the API submits for a card (contents not yet checked)."""

    card_type: str
    language: str
    contents: dict[str, Any]

    def __repr__(self) -> str:  # never print the contents
        return f"CardInput({self.card_type}, {self.language})"


def _metadata(card: VisitCard, contents: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the audit row says about a card: no names, dates or numbers, only shape and state."""
    data: dict[str, Any] = {
        "card_type": card.card_type,
        "language": card.language,
        "version": card.version,
        "key_id": card.key_id,
        "has_care_needs": card.has_care_needs,
    }
    if contents is not None:
        data["members"] = len(contents["members"])
        data["contacts"] = len(contents["contacts"])
        data["notes"] = bool(contents["notes"])
    return data


def _check_type(card_input: CardInput) -> None:
    if card_input.card_type not in CardType.values:
        raise ValidationError({"card_type": _("Choose one of the card types.")})
    from koban.visitcards.models import CardLanguage

    if card_input.language not in CardLanguage.values:
        raise ValidationError({"language": _("Choose one of the card languages (ja, en, zh, ko).")})


def _check_consent(scopes: Iterable[str]) -> list[str]:
    scopes = sorted(set(scopes))
    if ConsentScope.KEEP not in scopes or not set(scopes) <= set(ConsentScope.values):
        raise ValidationError(
            {
                "consent": _(
                    "A card is kept only with the household's consent: record that they agreed to the police "
                    "keeping it, and to which uses."
                )
            }
        )
    return scopes


@sensitive_variables("contents", "sealed")
def _seal_into(card: VisitCard, contents: dict[str, Any]) -> None:
    """Encrypt *contents* into *card* (not saved) and replace its name tokens."""
    sealed = seal(card.pk, contents)
    card.key_id, card.wrapped_key, card.payload = sealed.key_id, sealed.wrapped_key, sealed.payload
    card.has_care_needs = has_care_needs(contents)
    NameToken.objects.filter(card=card).delete()
    NameToken.objects.bulk_create(
        [NameToken(card=card, token=token) for token in sorted(name_tokens(searchable_names(contents)))]
    )


@sensitive_variables("card_input", "contents")
@transaction.atomic
def create_card(
    actor: Any,
    household: Any,
    card_input: CardInput,
    *,
    consent_scopes: Iterable[str],
    at: datetime.datetime | None = None,
) -> VisitCard:
    """Make a card for *household* with the household's consent (refused without it), encrypted at once."""
    at = at or timezone.now()
    scopes = _check_consent(consent_scopes)
    _check_type(card_input)
    contents = clean_contents(card_input.contents, timezone.localdate(at))
    if household.box_id is None:
        raise ValidationError({"household": _("This address is in no beat: place it before making a card.")})
    card = VisitCard.objects.create(
        household=household,
        card_type=card_input.card_type,
        language=card_input.language,
        box_id=household.box_id,
        confirmed_at=at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _seal_into(card, contents)
    card.save(update_fields=["key_id", "wrapped_key", "payload", "has_care_needs"])
    consent = Consent.objects.create(card=card, given_at=at, recorded_by=card.created_by, scopes=scopes)
    record(actor, "visitcard.create", card, after={**_metadata(card, contents), "consent": scopes})
    record(actor, "visitcard.consent", consent, after={"card": card.pk, "scopes": scopes})
    return card


@sensitive_variables("card_input", "contents")
@transaction.atomic
def update_card(
    actor: Any,
    card: VisitCard,
    card_input: CardInput,
    *,
    version: int,
    confirmed: bool = False,
    at: datetime.datetime | None = None,
) -> VisitCard:
    """Replace *card*'s contents, if nobody changed it since *version* (else ``CardConflictError``).

    *confirmed*: the household confirmed the card today, which restarts its retention period.
    """
    at = at or timezone.now()
    locked = VisitCard.objects.select_for_update().get(pk=card.pk)
    if locked.version != version:
        raise CardConflictError(locked.version)
    if not locked.has_contents:
        raise ValidationError(_("The household withdrew its consent: this card can no longer be filled in."))
    _check_type(card_input)
    contents = clean_contents(card_input.contents, timezone.localdate(at))
    before = _metadata(locked)
    locked.card_type, locked.language = card_input.card_type, card_input.language
    _seal_into(locked, contents)
    locked.version += 1
    fields = [
        "card_type",
        "language",
        "key_id",
        "wrapped_key",
        "payload",
        "has_care_needs",
        "version",
        "updated_at",
    ]
    if confirmed:
        locked.confirmed_at, locked.review_flagged_at = at, None
        fields += ["confirmed_at", "review_flagged_at"]
    locked.save(update_fields=fields)
    record(
        actor,
        "visitcard.update",
        locked,
        before=before,
        after={**_metadata(locked, contents), "confirmed": confirmed},
    )
    return locked


def open_card(
    actor: Any, card: VisitCard, *, what: str, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Decrypt *card*'s contents for *actor* (already allowed by the access functions), recording the read."""
    if not card.has_contents:
        return {"members": [], "contacts": [], "notes": ""}
    contents = unseal(card.pk, Sealed(card.key_id, bytes(card.wrapped_key), bytes(card.payload)))
    record_read(actor, [card], VisitCard.PERSONAL_FIELDS, request=request, what=what)
    return contents


@transaction.atomic
def withdraw_consent(actor: Any, card: VisitCard, *, at: datetime.datetime | None = None) -> VisitCard:
    """The household withdrew its consent: delete the card's personal contents at once.

    The ciphertext, the wrapped data key and the name tokens are erased; what remains is the fact that
    a card existed and when consent was withdrawn (so that officers do not ask again at once).
    """
    at = at or timezone.now()
    locked = VisitCard.objects.select_for_update().get(pk=card.pk)
    before = _metadata(locked)
    Consent.objects.filter(card=locked, withdrawn_at__isnull=True).update(
        withdrawn_at=at, withdrawn_recorded_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    NameToken.objects.filter(card=locked).delete()
    locked.key_id, locked.wrapped_key, locked.payload = "", b"", b""
    locked.has_care_needs = False
    locked.contents_deleted_at = at
    locked.version += 1
    locked.save()
    record(actor, "visitcard.consent_withdrawn", locked, before=before, after=_metadata(locked))
    return locked


def search_cards(actor: Any, cards: VisitCardQuerySet, name: str) -> list[VisitCard]:
    """The cards of *cards* (already scoped to *actor*) with a member or reading matching *name*.

    Matches the keyed hash of the normalised name, of a whole name or one part of it; the table is never
    decrypted. The search itself is recorded as a read of the cards it found.
    """
    token = name_token(name)
    if not token:
        return []
    found = list(cards.filter(name_tokens__token=token).distinct().select_related("household")[:100])
    record_read(actor, found, ["name_search"], model=VisitCard, what="name search")
    return found


# -- Break glass and custodians -------------------------------------------------------------------------


@transaction.atomic
def grant_with_reason(
    actor: Any, card: VisitCard, reason: str, *, at: datetime.datetime | None = None
) -> AccessGrant:
    """Open *card* to a station chief (already allowed by ``can_break_glass``) for a limited time, with a reason."""
    at = at or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                "reason": _("Say why you need this card (at least %(n)d characters).")
                % {"n": MIN_REASON_LENGTH}
            }
        )
    grant = AccessGrant.objects.create(
        card=card,
        user=actor,
        reason=reason,
        granted_at=at,
        expires_at=at + datetime.timedelta(hours=settings.KOBAN_CARD_BREAK_GLASS_HOURS),
    )
    record(
        actor, "visitcard.break_glass", card, after={"reason": reason, "until": grant.expires_at.isoformat()}
    )
    return grant


@transaction.atomic
def appoint_custodian(
    actor: Any, box: Any, user: Any, *, at: datetime.datetime | None = None
) -> CardCustodian:
    """Make *user* the card custodian of *box* from *at*, ending the previous custodian's term."""
    at = at or timezone.now()
    CardCustodian.objects.filter(box=box).in_force_at(at).update(ends_at=at)
    custodian = CardCustodian.objects.create(box=box, user=user, starts_at=at, assigned_by=actor)
    record(actor, "visitcard.custodian", custodian, after={"box": box.pk, "user": user.pk})
    return custodian


# -- Retention --------------------------------------------------------------------------------------------


def retention_cutoff(at: datetime.datetime) -> datetime.datetime:
    """Cards confirmed before this moment are due for review."""
    years = settings.KOBAN_CARD_RETENTION_YEARS
    try:
        return at.replace(year=at.year - years)
    except ValueError:  # 29 February
        return at.replace(year=at.year - years, day=28)


@transaction.atomic
def flag_for_review(actor: Any, at: datetime.datetime) -> int:
    """Flag every card not confirmed with its household within the retention period; returns the count."""
    due = VisitCard.objects.not_confirmed_since(retention_cutoff(at)).filter(review_flagged_at__isnull=True)
    ids = list(due.values_list("pk", flat=True))
    if ids:
        VisitCard.objects.filter(pk__in=ids).update(review_flagged_at=at)
        record_bulk(actor, "visitcard.flag_for_review", VisitCard, count=len(ids), after={"ids": ids[:500]})
    return len(ids)


@transaction.atomic
def delete_after_review(actor: Any, card: VisitCard, *, at: datetime.datetime | None = None) -> None:
    """Delete a card flagged for review and still unconfirmed (confirmed by an allowed reviewer)."""
    at = at or timezone.now()
    locked = VisitCard.objects.select_for_update().get(pk=card.pk)
    if locked.review_flagged_at is None or locked.confirmed_at >= retention_cutoff(at):
        raise ValidationError(_("Only a card flagged for review and not confirmed since can be deleted."))
    record(actor, "visitcard.delete", locked, before=_metadata(locked), note="retention period over")
    locked.delete()


# -- Key rotation -----------------------------------------------------------------------------------------


@sensitive_variables("contents")
def rekey_batch(actor: Any, batch_size: int = 200) -> int:
    """Re-encrypt up to *batch_size* cards still on an old master key under a fresh data key and the
    current master key, in one transaction; returns how many were done (0: none left).

    Rows locked by an edit in progress are skipped and taken by a later batch, so a rotation can be
    killed at any moment and started again: it continues with the cards still on old keys.
    """
    ring = keyring()
    with transaction.atomic():
        cards = list(
            VisitCard.objects.on_key_other_than(ring.current_id)
            .select_for_update(skip_locked=True)
            .order_by("pk")[:batch_size]
        )
        for card in cards:
            contents = unseal(
                card.pk, Sealed(card.key_id, bytes(card.wrapped_key), bytes(card.payload)), ring
            )
            sealed = seal(card.pk, contents, ring)
            card.key_id, card.wrapped_key, card.payload = sealed.key_id, sealed.wrapped_key, sealed.payload
        VisitCard.objects.bulk_update(cards, ["key_id", "wrapped_key", "payload"])
        if cards:
            record_bulk(
                actor,
                "visitcard.rekey",
                VisitCard,
                count=len(cards),
                after={"key_id": ring.current_id, "ids": [card.pk for card in cards]},
            )
    return len(cards)


def rekey_all(actor: Any, batch_size: int = 200, progress: Callable[[int, int], None] | None = None) -> int:
    """Run ``rekey_batch`` until no card is left on an old key; returns the number re-encrypted."""
    remaining = VisitCard.objects.on_key_other_than(keyring().current_id).count()
    done = 0
    while True:
        count = rekey_batch(actor, batch_size)
        if count == 0:
            return done
        done += count
        if progress:
            progress(done, remaining)
