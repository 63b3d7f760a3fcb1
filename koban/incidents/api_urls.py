from django.urls import path
from rest_framework.routers import SimpleRouter

from koban.incidents.api import IncidentCategoryViewSet, IncidentViewSet, response_times_view

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("incident-categories", IncidentCategoryViewSet, basename="incident-category")
urlpatterns = [
    path("incident-response-times", response_times_view, name="incident-response-times"),
    *router.urls,
]
