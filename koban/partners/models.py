"""Crime-prevention partners (防犯ネットワーク): the organizations the police work with, their contact
people, the area they act in, the stations and boxes they work with, network meetings and agreements.

A partner belongs to one police agency (the prefecture whose stations work with it). Contact people are
personal data: they are read through ``koban.accounts.access`` and their reads are audited. Staff of a
partner sign in with the partner role; ``PartnerAccount`` links such a login to its organization (the
accounts app knows nothing of partners).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from koban.organization.models import Agency, PoliceBox, PoliceStation


class PartnerKind(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("Local government department")
    COMPANY = "company", _("Company")
    SCHOOL = "school", _("School")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood association")
    SHOP_STREET = "shop_street", _("Shop street")
    NPO = "npo", _("NPO")
    VOLUNTEER_GROUP = "volunteer_group", _("Volunteer group")


class PartnerQuerySet(models.QuerySet["Partner"]):
    def active(self) -> PartnerQuerySet:
        return self.filter(active=True)

    def of_agencies(self, agencies: models.QuerySet[Agency]) -> PartnerQuerySet:
        return self.filter(agency__in=agencies)

    def working_with_stations(self, stations: models.QuerySet[PoliceStation]) -> PartnerQuerySet:
        """Partners working with one of *stations*, directly or through one of their boxes."""
        return self.filter(Q(stations__in=stations) | Q(boxes__station__in=stations)).distinct()

    def acting_at(self, point: object) -> PartnerQuerySet:
        """Partners whose area contains *point* (a WGS84 Point)."""
        return self.filter(area__contains=point)


class Partner(models.Model):
    """An organization that takes part in crime prevention with the police."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("police agency"), on_delete=models.PROTECT, related_name="partners"
    )
    area = models.MultiPolygonField(_("area of activity"), srid=4326, null=True, blank=True)
    stations = models.ManyToManyField(
        PoliceStation, verbose_name=_("police stations"), blank=True, related_name="partners"
    )
    boxes = models.ManyToManyField(
        PoliceBox, verbose_name=_("police boxes"), blank=True, related_name="partners"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner organization")
        verbose_name_plural = _("partner organizations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PartnerContact(models.Model):
    """A contact person at a partner organization (personal data: name, phone, e-mail)."""

    PERSONAL_FIELDS = ("name", "phone", "email")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner organization"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    primary = models.BooleanField(_("main contact"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["-primary", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class PartnerAccount(models.Model):
    """The organization a login with the partner role acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_account",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner organization"), on_delete=models.CASCADE, related_name="accounts"
    )

    class Meta:
        verbose_name = _("partner login")
        verbose_name_plural = _("partner logins")

    def __str__(self) -> str:
        return f"{self.user} → {self.partner}"


class NetworkMeeting(models.Model):
    """A meeting of the crime-prevention network (a station's liaison meeting with its partners)."""

    station = models.ForeignKey(
        PoliceStation,
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        related_name="network_meetings",
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    partners = models.ManyToManyField(Partner, verbose_name=_("partners"), related_name="meetings")
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class AgreementKind(models.TextChoices):
    SAFE_HAVEN = "safe_haven", _("Safe haven (shelter for children and women)")
    INFORMATION = "information", _("Information sharing")
    PATROL = "patrol", _("Joint patrols")
    CAMERAS = "cameras", _("Security cameras")
    OTHER = "other", _("Other")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def in_force_on(self, day: datetime.date) -> AgreementQuerySet:
        return self.filter(signed_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Agreement(models.Model):
    """An agreement between the police and a partner (e.g. a convenience-store chain as safe havens)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner organization"), on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    terms = models.TextField(_("terms"), blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("signed_on")),
                name="agreement_ends_after_signing",
            )
        ]

    def __str__(self) -> str:
        return self.title
