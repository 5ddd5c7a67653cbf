from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("data-quality-findings", views.FindingViewSet, basename="data-quality-finding")
router.register("data-quality-runs", views.CheckRunViewSet, basename="data-quality-run")
urlpatterns = router.urls
