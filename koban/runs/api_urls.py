from koban.lib.api import Router
from koban.runs.api import JobRunViewSet

router = Router()
router.register("runs", JobRunViewSet, basename="run")
urlpatterns = router.urls
