from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("outages", views.OutageViewSet, basename="outage")
urlpatterns = router.urls
