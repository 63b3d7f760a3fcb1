from django.urls import path

from koban.lib.api import Router
from koban.rosters import api, cars_api, handover_api, presence_api

router = Router()
router.register("shift-patterns", api.ShiftPatternViewSet, basename="shift-pattern")
router.register("shift-plans", api.BoxShiftPlanViewSet, basename="shift-plan")
router.register("roster-entries", api.RosterEntryViewSet, basename="roster-entry")
router.register("duty-records", api.DutyRecordViewSet, basename="duty-record")
router.register("outings", presence_api.OutingViewSet, basename="outing")
router.register("leave-requests", presence_api.LeaveRequestViewSet, basename="leave-request")
router.register("patrol-cars", cars_api.PatrolCarViewSet, basename="patrol-car")
router.register("handover-entries", handover_api.HandoverEntryViewSet, basename="handover-entry")
urlpatterns = [
    path("on-duty/", api.on_duty_view, name="on-duty"),
    path("empty-hours/", api.empty_hours_view, name="empty-hours"),
    path("sign-on/", presence_api.sign_on_view, name="sign-on"),
    path("counter-cover/", presence_api.cover_view, name="counter-cover"),
    *router.urls,
]
