from django.urls import path

from koban.lib.api import Router
from koban.patrols.api import PatrolViewSet, coverage_view

router = Router()
router.register("patrols", PatrolViewSet, basename="patrol")
urlpatterns = [path("patrols/coverage", coverage_view, name="patrol-coverage"), *router.urls]
