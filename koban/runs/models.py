"""The record of one piece of long work (an import, a beat derivation, a version check) run as a job.

A ``JobRun`` is created when someone starts the work, is picked up by a worker (or run inline by the
command line), reports its progress and checks for a cancel request as it goes, and keeps its report
when it ends. Agencies and uploaded files are referenced by code and path, so this app sits just above
the audit trail and below every domain app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRunQuerySet(models.QuerySet["JobRun"]):
    def recent(self) -> JobRunQuerySet:
        return self.select_related("started_by").order_by("-created_at", "-pk")

    def unfinished(self) -> JobRunQuerySet:
        return self.filter(status__in=JobRun.UNFINISHED)

    def for_agency_codes(self, codes: list[str]) -> JobRunQuerySet:
        return self.filter(agency_code__in=codes)


class JobRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    file_path = models.CharField(
        _("uploaded file"), max_length=500, blank=True, help_text=_("Relative to the upload folder.")
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    progress_message = models.CharField(_("stage"), max_length=200, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by_label = models.CharField(_("started by (label)"), max_length=150, blank=True)
    agency_code = models.CharField(_("agency"), max_length=32, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("follows"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
        help_text=_("The dry run this run commits."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("background run")
        verbose_name_plural = _("background runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in self.UNFINISHED

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, 100 * self.progress_done // self.progress_total)
