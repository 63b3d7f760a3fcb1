from koban.lib.api import Router
from koban.visitcards import api

router = Router()
router.register("visit-cards", api.VisitCardViewSet, basename="visit-card")
urlpatterns = router.urls
