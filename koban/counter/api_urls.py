from rest_framework.routers import SimpleRouter

from koban.counter import api

router = SimpleRouter()
router.register("counter-categories", api.CounterCategoryViewSet, basename="counter-category")
router.register("counter-matters", api.CounterMatterViewSet, basename="counter-matter")
urlpatterns = router.urls
