"""REST API of background runs: follow a run's progress and report, cancel it, commit a clean dry run.

Endpoints that start long work (imports, beat checks and activation) answer 202 with the run; a client
polls ``/api/v1/runs/{id}/`` until its ``status`` is ``done``, ``failed`` or ``cancelled``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from koban.accounts.access import runs_visible_to
from koban.lib.api import ModelSerializer
from koban.runs.models import JobRun
from koban.runs.services import request_cancel, start_commit


class JobRunSerializer(ModelSerializer):
    report = serializers.JSONField(
        read_only=True, help_text="summary, ok, failed, committed, errors (with line or feature), notes …"
    )

    class Meta:
        model = JobRun
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress_message",
            "progress_done",
            "progress_total",
            "cancel_requested",
            "report",
            "file_name",
            "agency_code",
            "previous",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


def accepted(run: JobRun) -> Response:
    """The answer of an endpoint that started *run*: 202 with the run to poll."""
    return Response(JobRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Background runs the user may follow (HQ: the agency's runs and their own), newest first."""

    serializer_class = JobRunSerializer

    def get_queryset(self) -> QuerySet[JobRun]:
        return runs_visible_to(self.request.user).recent()  # type: ignore[arg-type]

    @extend_schema(request=None, responses=JobRunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel a queued run at once, or ask a running one to stop (nothing it did is kept)."""
        run = request_cancel(self.get_object(), request.user)
        return Response(JobRunSerializer(run).data)

    @extend_schema(request=None, responses={202: JobRunSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, pk: Any = None) -> Response:
        """Start the run that writes what a clean dry run of an import found."""
        try:
            run = start_commit(self.get_object(), request.user)
        except ValueError as exc:
            raise ValidationError(
                {"status": [gettext("Only a successful dry run of an import can be committed.")]}
            ) from exc
        return accepted(run)
