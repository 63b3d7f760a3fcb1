from rest_framework.routers import SimpleRouter

from koban.organization.api import PoliceBoxViewSet, PoliceStationViewSet

router = SimpleRouter()
router.register("stations", PoliceStationViewSet, basename="station")
router.register("boxes", PoliceBoxViewSet, basename="box")
urlpatterns = router.urls
