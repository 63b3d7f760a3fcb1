from koban.councils.api import CouncilViewSet, MeetingViewSet, MemberViewSet
from koban.lib.api import Router

router = Router()
router.register("councils", CouncilViewSet, basename="council")
router.register("council-members", MemberViewSet, basename="council-member")
router.register("council-meetings", MeetingViewSet, basename="council-meeting")
urlpatterns = router.urls
