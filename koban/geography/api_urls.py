from django.urls import path

from koban.geography.api import AdminAreaViewSet, BeatVersionViewSet, BeatViewSet, locate_view
from koban.lib.api import Router

router = Router()
router.register("beats", BeatViewSet, basename="beat")
router.register("areas", AdminAreaViewSet, basename="area")
router.register("beat-versions", BeatVersionViewSet, basename="beat-version")
urlpatterns = [path("locate", locate_view, name="locate"), *router.urls]
