from koban.lib.api import Router
from koban.lostfound.api import FoundItemViewSet, ItemTaskViewSet, LossReportViewSet

router = Router()
router.register("lost-found/items", FoundItemViewSet, basename="lostfound-item")
router.register("lost-found/reports", LossReportViewSet, basename="lostfound-report")
router.register("lost-found/tasks", ItemTaskViewSet, basename="lostfound-task")
urlpatterns = router.urls
