from koban.attachments.api import AttachmentViewSet
from koban.lib.api import Router

router = Router()
router.register("attachments", AttachmentViewSet, basename="attachment")
urlpatterns = router.urls
