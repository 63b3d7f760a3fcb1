from koban.lib.api import Router
from koban.organization.api import PoliceBoxViewSet, PoliceStationViewSet

router = Router()
router.register("stations", PoliceStationViewSet, basename="station")
router.register("boxes", PoliceBoxViewSet, basename="box")
urlpatterns = router.urls
