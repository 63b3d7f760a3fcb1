from django.urls import path
from rest_framework.routers import SimpleRouter

from koban.patrols.api import PatrolViewSet, coverage_view

router = SimpleRouter()
router.register("patrols", PatrolViewSet, basename="patrol")
urlpatterns = [path("patrols/coverage", coverage_view, name="patrol-coverage"), *router.urls]
