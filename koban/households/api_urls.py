from django.urls import path

from koban.households.api import HouseholdViewSet, coverage_view
from koban.lib.api import Router

router = Router()
router.register("households", HouseholdViewSet, basename="household")
urlpatterns = [path("households/coverage", coverage_view, name="household-coverage"), *router.urls]
