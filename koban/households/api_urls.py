from koban.households.api import HouseholdViewSet
from koban.lib.api import Router

router = Router()
router.register("households", HouseholdViewSet, basename="household")
urlpatterns = router.urls
