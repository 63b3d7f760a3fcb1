from koban.lib.api import Router
from koban.volunteers.api import ActivityViewSet, GroupViewSet

router = Router()
router.register("volunteer-groups", GroupViewSet, basename="volunteer-group")
router.register("volunteer-activity", ActivityViewSet, basename="volunteer-activity")
urlpatterns = [*router.urls]
