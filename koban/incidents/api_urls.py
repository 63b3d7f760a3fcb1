from django.urls import path

from koban.incidents.api import (
    IncidentCategoryViewSet,
    IncidentViewSet,
    incident_counts_view,
    response_times_view,
)
from koban.lib.api import Router

router = Router()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("incident-categories", IncidentCategoryViewSet, basename="incident-category")
urlpatterns = [
    path("incident-response-times", response_times_view, name="incident-response-times"),
    path("incidents/counts/", incident_counts_view, name="incident-counts"),
    *router.urls,
]
