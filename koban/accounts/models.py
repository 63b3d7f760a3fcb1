"""People who sign in: officers, counsellors, planners, and (later) partners and volunteers."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager
from knox.settings import CONSTANTS

from koban.organization.models import Agency, PoliceBox, PoliceStation


class Role(models.TextChoices):
    """What a user does; ``koban.accounts.access`` turns a role and a posting into permissions.

    New roles are added here and given their rules in ``koban/accounts/access/``; nothing else checks
    roles directly. Volunteers (members of a crime-prevention volunteer group) and partners (staff of a
    partner organization: a town office, a school, a shop street ...) have no police posting: their group
    or organization is stored in the volunteers and partners apps, and they never see the personal data
    of the daily work of a box.
    """

    HQ_PLANNER = "hq_planner", _("HQ planner")
    STATION_CHIEF = "station_chief", _("Station chief")
    BOX_OFFICER = "box_officer", _("Box officer")
    BOX_COUNSELLOR = "box_counsellor", _("Box counsellor")
    ADMINISTRATOR = "administrator", _("System administrator")
    VOLUNTEER = "volunteer", _("Volunteer")
    PARTNER = "partner", _("Partner organization")


class User(AbstractUser):  # type: ignore[django-manager-missing]  # api_tokens: untyped base
    """A person with a login, posted to an agency, a station or a box according to the role."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.BOX_OFFICER)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    badge_number = models.CharField(_("badge number"), max_length=32, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        PoliceStation,
        verbose_name=_("police station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    box = models.ForeignKey(
        PoliceBox,
        verbose_name=_("police box"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    language = models.CharField(_("preferred language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def of_user(self, user: User) -> ApiTokenQuerySet:
        return self.filter(user=user).order_by("-created")

    def usable_at(self, moment: datetime.datetime) -> ApiTokenQuerySet:
        """Tokens that would authenticate at *moment*: not revoked and not yet expired."""
        return self.filter(revoked_at__isnull=True, expiry__gt=moment)


class ApiTokenManager(AuthTokenManager.from_queryset(ApiTokenQuerySet)):  # type: ignore[misc]
    """knox's manager (``create`` returns the row and the secret shown once) with our queries."""


class ApiToken(AbstractAuthToken):
    """A named, scoped, expiring key with which a program (a phone app, a command-room system, a partner
    system) calls the API on behalf of one user, instead of holding that user's password.

    The secret is shown once when the token is created; only its SHA-512 digest is stored (knox). A
    revoked token is kept (not deleted) so that the account page and the audit trail can still name it.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    # knox keys its table by the digest; a short integer key keeps URLs and audit rows readable.
    id: models.BigAutoField = models.BigAutoField(primary_key=True)
    digest: models.CharField[str, str] = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    # knox calls this relation auth_token_set; we use none of knox's code that follows it.
    user: models.ForeignKey[User, User] = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name: models.CharField[str, str] = models.CharField(_("name"), max_length=100)
    scope: models.CharField[str, str] = models.CharField(
        _("scope"), max_length=8, choices=Scope.choices, default=Scope.READ
    )
    revoked_at: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(_("revoked at"), null=True, blank=True)
    )

    objects = ApiTokenManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    def is_usable_at(self, moment: datetime.datetime) -> bool:
        return self.revoked_at is None and self.expiry is not None and self.expiry > moment
