from django.urls import path

from koban.geography.api import AdminAreaViewSet, BeatViewSet, locate_view
from koban.lib.api import Router

router = Router()
router.register("beats", BeatViewSet, basename="beat")
router.register("areas", AdminAreaViewSet, basename="area")
urlpatterns = [path("locate", locate_view, name="locate"), *router.urls]
