"""People who sign in: officers, counsellors, planners, and (later) partners and volunteers."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from koban.organization.models import Agency, PoliceBox, PoliceStation


class Role(models.TextChoices):
    """What a user does; ``koban.accounts.access`` turns a role and a posting into permissions.

    New roles (volunteer group leader, partner organisation, resident) are added here and given their
    rules in ``access.py``; nothing else checks roles directly.
    """

    HQ_PLANNER = "hq_planner", _("HQ planner")
    STATION_CHIEF = "station_chief", _("Station chief")
    BOX_OFFICER = "box_officer", _("Box officer")
    BOX_COUNSELLOR = "box_counsellor", _("Box counsellor")
    ADMINISTRATOR = "administrator", _("System administrator")


class User(AbstractUser):
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
