from django.urls import path

from koban.lib.api import Router
from koban.rosters import api

router = Router()
router.register("shift-patterns", api.ShiftPatternViewSet, basename="shift-pattern")
router.register("shift-plans", api.BoxShiftPlanViewSet, basename="shift-plan")
router.register("roster-entries", api.RosterEntryViewSet, basename="roster-entry")
router.register("duty-records", api.DutyRecordViewSet, basename="duty-record")
urlpatterns = [
    path("on-duty/", api.on_duty_view, name="on-duty"),
    path("empty-hours/", api.empty_hours_view, name="empty-hours"),
    *router.urls,
]
