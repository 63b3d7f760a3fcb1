"""Admin: patrols, stops, observations and patrol cards change only through the services (access
rules, validation, the audit trail), so they are shown read-only; cards and observations carry
residents' addresses and descriptions of people, and opening one records a read."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from koban.audit.admin import ReadOnlyAdmin
from koban.patrols.models import Observation, Patrol, PatrolCard, PatrolStop


class ReadOnlyGISAdmin(ReadOnlyAdmin, GISModelAdmin):
    """Read-only, with the geometries on a map that cannot be edited."""

    modifiable = False


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyGISAdmin):
    box_path = "box"
    list_display = ["box", "started_at", "ended_at", "kind", "source", "distance_m"]
    list_filter = ["kind", "source"]
    list_select_related = ["box"]


@admin.register(PatrolStop)
class PatrolStopAdmin(ReadOnlyGISAdmin):
    box_path = "patrol__box"
    list_display = ["__str__", "patrol"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyGISAdmin):
    box_path = "patrol__box"
    personal_fields = Observation.PERSONAL_FIELDS
    list_display = ["__str__", "kind", "patrol"]
    list_filter = ["kind"]


@admin.register(PatrolCard)
class PatrolCardAdmin(ReadOnlyGISAdmin):
    box_path = "patrol__box"
    personal_fields = PatrolCard.PERSONAL_FIELDS
    list_display = ["left_at", "patrol"]
