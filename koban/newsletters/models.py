"""The box newsletter (交番だより / ミニ広報紙): one issue per box and month, drafted, edited, published.

An issue keeps the figures it was generated from (``content``), so a published issue reads the same for
ever even when incidents are corrected later; the officers' greeting is editable text per language. The
rendered PDF of each language is made on first request and kept (``NewsletterPdf``) until the issue
changes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from koban.organization.models import PoliceBox


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


class NewsletterQuerySet(models.QuerySet["Newsletter"]):
    def published(self) -> NewsletterQuerySet:
        return self.filter(status=Newsletter.Status.PUBLISHED)

    def of_boxes(self, boxes: models.QuerySet[PoliceBox]) -> NewsletterQuerySet:
        return self.filter(box__in=boxes)

    def with_box(self) -> NewsletterQuerySet:
        return self.select_related("box", "box__station")


class Newsletter(models.Model):
    """One monthly issue of a box's newsletter, in every language the deployment ships."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="newsletters"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month the issue covers."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    greeting = models.JSONField(_("greeting per language"), default=dict, blank=True)
    content = models.JSONField(_("figures and notices"), default=dict)
    generated_at = models.DateTimeField(_("generated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["box", "-month"]
        constraints = [models.UniqueConstraint(fields=["box", "month"], name="one_newsletter_per_box_month")]

    def __str__(self) -> str:
        return f"{self.box} {self.month:%Y-%m}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class NewsletterPdf(models.Model):
    """The rendered PDF of an issue in one language, kept after the first request (a cache)."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="pdfs")
    language = models.CharField(max_length=8)
    pdf = models.BinaryField()
    made_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("newsletter PDF")
        verbose_name_plural = _("newsletter PDFs")
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "language"], name="one_pdf_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.newsletter} ({self.language})"
