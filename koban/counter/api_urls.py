from koban.counter import api
from koban.lib.api import Router

router = Router()
router.register("counter-categories", api.CounterCategoryViewSet, basename="counter-category")
router.register("counter-matters", api.CounterMatterViewSet, basename="counter-matter")
urlpatterns = router.urls
