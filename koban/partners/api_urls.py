from koban.lib.api import Router
from koban.partners.api import PartnerViewSet

router = Router()
router.register("partners", PartnerViewSet, basename="partner")
urlpatterns = [*router.urls]
