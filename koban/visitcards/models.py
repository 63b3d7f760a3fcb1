"""Visit cards (巡回連絡カード): what a household agreed to give officers about its members and whom to call.

The contents (members with name, reading, date of birth, relationship and workplace or school;
emergency contacts; agreed notes) are never stored in clear: ``payload`` is AES-GCM ciphertext under a
per-card data key, which is stored wrapped by a master key held outside the database
(``koban.visitcards.crypto``). Searching by name goes through ``NameToken``, keyed hashes of normalised
names. The rest of a card is metadata that says nothing about the people: its type, language, version,
when it was confirmed, which box keeps it.

Who may open a card is decided in ``koban/accounts/access/visitcards.py`` only; every opening and every
change is in the audit trail (``koban.visitcards.services``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from koban.organization.models import PoliceBox


class CardType(models.TextChoices):
    INDEX = "index", _("Index card (by address or kana)")
    HOUSEHOLD = "household", _("Household card")
    APARTMENT_BUILDING = "apartment_building", _("Apartment building card")
    BUSINESS_OFFICE = "business_office", _("Business or public office card")


class CardLanguage(models.TextChoices):
    """The language the card is printed and shown in, for residents who read it (not the UI language)."""

    JA = "ja", "日本語"
    EN = "en", "English"
    ZH = "zh", "中文"
    KO = "ko", "한국어"


class ConsentScope(models.TextChoices):
    """What the household agreed the card may be used for."""

    KEEP = "keep", _("Keep the card at the police box")
    CONTACT_FAMILY = "contact_family", _("Contact the family (lost children, elderly people, accidents)")
    DISASTER = "disaster", _("Safety checks after a disaster")


class VisitCardQuerySet(models.QuerySet["VisitCard"]):
    def with_contents(self) -> VisitCardQuerySet:
        """Cards whose personal contents still exist (not wiped by a withdrawal of consent)."""
        return self.filter(contents_deleted_at__isnull=True)

    def of_households(self, households: models.QuerySet) -> VisitCardQuerySet:  # type: ignore[type-arg]
        return self.filter(household__in=households)

    def on_key_other_than(self, key_id: str) -> VisitCardQuerySet:
        """Cards with contents still encrypted under a master key other than *key_id* (for rotation)."""
        return self.with_contents().exclude(key_id=key_id)

    def not_confirmed_since(self, moment: datetime.datetime) -> VisitCardQuerySet:
        return self.filter(confirmed_at__lt=moment)

    def flagged_for_review(self) -> VisitCardQuerySet:
        return self.filter(review_flagged_at__isnull=False)

    def consented_to(self, scope: str) -> VisitCardQuerySet:
        """Cards with a consent in force that covers *scope*."""
        return self.filter(consents__withdrawn_at__isnull=True, consents__scopes__contains=[scope]).distinct()

    def needing_help_within(self, area: object) -> VisitCardQuerySet:
        """Cards in *area* (a polygon) that flagged someone needing help and agreed to disaster checks."""
        return (
            self.with_contents()
            .filter(has_care_needs=True, household__point__within=area)
            .consented_to(ConsentScope.DISASTER)
        )


class VisitCard(models.Model):
    """One visit card of a household, business or building, with its encrypted contents."""

    # What a read row lists as shown when the contents are decrypted for someone.
    PERSONAL_FIELDS = ("members", "contacts", "notes")

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="visit_cards",
    )
    card_type = models.CharField(_("card type"), max_length=20, choices=CardType.choices)
    language = models.CharField(
        _("card language"), max_length=2, choices=CardLanguage.choices, default=CardLanguage.JA
    )
    # The box whose custodian keeps the card (the household's box when the card was made); named
    # ``box`` so that the audit trail files every row about the card under that box's station.
    box = models.ForeignKey(
        PoliceBox, verbose_name=_("kept at box"), on_delete=models.PROTECT, related_name="visit_cards"
    )
    # Envelope: the id of the master key that wraps the data key, the wrapped data key, the ciphertext.
    key_id = models.CharField(_("master key id"), max_length=64, blank=True, editable=False)
    wrapped_key = models.BinaryField(_("wrapped data key"), default=bytes, editable=False)
    payload = models.BinaryField(_("encrypted contents"), default=bytes, editable=False)
    # Kept in clear, as a yes/no only, so that the disaster check can find the households to reach first
    # with one indexed query over an area instead of decrypting every card in it; it names nobody and
    # says nothing about why. Withdrawing consent clears it with the contents.
    has_care_needs = models.BooleanField(_("someone needs help in an evacuation"), default=False)
    # Optimistic locking: an edit must carry the version it was made on; a stale one is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    confirmed_at = models.DateTimeField(_("last confirmed with the household"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    contents_deleted_at = models.DateTimeField(_("contents deleted at"), null=True, blank=True)
    review_flagged_at = models.DateTimeField(_("flagged for retention review at"), null=True, blank=True)

    objects = VisitCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit card")
        verbose_name_plural = _("visit cards")
        ordering = ["-confirmed_at", "-id"]
        indexes = [
            models.Index(fields=["box", "confirmed_at"], name="visitcard_box_confirmed"),
            models.Index(fields=["key_id"], name="visitcard_key"),
        ]

    def __str__(self) -> str:
        # Shown in the audit trail and logs: the id only, never a name or an address.
        return f"visit card #{self.pk}"

    @property
    def has_contents(self) -> bool:
        return self.contents_deleted_at is None and bool(self.payload)


class Consent(models.Model):
    """The household's consent to a card: when, recorded by whom, for what; and its withdrawal."""

    card = models.ForeignKey(
        VisitCard, verbose_name=_("card"), on_delete=models.CASCADE, related_name="consents"
    )
    given_at = models.DateTimeField(_("given at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scopes = ArrayField(
        models.CharField(max_length=20, choices=ConsentScope.choices),
        verbose_name=_("agreed uses"),
        default=list,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"consent #{self.pk} to visit card #{self.card_id}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class NameToken(models.Model):
    """A keyed hash of one normalised name on a card: the blind index for searching cards by name."""

    card = models.ForeignKey(VisitCard, on_delete=models.CASCADE, related_name="name_tokens")
    token = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("name token")
        verbose_name_plural = _("name tokens")
        constraints = [models.UniqueConstraint(fields=["card", "token"], name="nametoken_unique")]

    def __str__(self) -> str:
        return f"name token of visit card #{self.card_id}"


class CustodianQuerySet(models.QuerySet["CardCustodian"]):
    def in_force_at(self, moment: datetime.datetime) -> CustodianQuerySet:
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=moment), starts_at__lte=moment)


class CardCustodian(models.Model):
    """The person designated to keep a box's visit cards (カード管理者), for a period."""

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("custodian"), on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CustodianQuerySet.as_manager()

    class Meta:
        verbose_name = _("card custodian")
        verbose_name_plural = _("card custodians")
        ordering = ["box", "-starts_at"]

    def __str__(self) -> str:
        return f"custodian #{self.pk} of box #{self.box_id}"


class AccessGrantQuerySet(models.QuerySet["AccessGrant"]):
    def in_force_at(self, moment: datetime.datetime) -> AccessGrantQuerySet:
        return self.filter(granted_at__lte=moment, expires_at__gt=moment)


class AccessGrant(models.Model):
    """A station chief's time-limited access to one card, opened with a recorded reason ("break glass")."""

    card = models.ForeignKey(
        VisitCard, verbose_name=_("card"), on_delete=models.CASCADE, related_name="grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"))

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("card access with a reason")
        verbose_name_plural = _("card accesses with a reason")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"access to visit card #{self.card_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class DisasterCheck(models.Model):
    """A safety check after a disaster over an area drawn on the map (a flooded district, say)."""

    title = models.CharField(_("title"), max_length=200)
    area = models.PolygonField(_("area"), srid=4326)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    # The box of the officer who opened it: the check's place in the trail and its list.
    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("disaster safety check")
        verbose_name_plural = _("disaster safety checks")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SafetyStatus(models.TextChoices):
    SAFE = "safe", _("Safe")
    NEEDS_HELP = "needs_help", _("Needs help")
    UNREACHABLE = "unreachable", _("Unreachable")


class SafetyCheck(models.Model):
    """One check of one household during a disaster check: the status found, by whom, when."""

    disaster = models.ForeignKey(
        DisasterCheck, verbose_name=_("disaster check"), on_delete=models.CASCADE, related_name="checks"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    card = models.ForeignKey(
        VisitCard, verbose_name=_("card"), null=True, on_delete=models.SET_NULL, related_name="safety_checks"
    )
    status = models.CharField(_("status"), max_length=20, choices=SafetyStatus.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("safety check")
        verbose_name_plural = _("safety checks")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"safety check #{self.pk} ({self.status})"
