from django.urls import path
from rest_framework.routers import SimpleRouter

from koban.geography.api import AdminAreaViewSet, BeatViewSet, locate_view

router = SimpleRouter()
router.register("beats", BeatViewSet, basename="beat")
router.register("areas", AdminAreaViewSet, basename="area")
urlpatterns = [path("locate", locate_view, name="locate"), *router.urls]
