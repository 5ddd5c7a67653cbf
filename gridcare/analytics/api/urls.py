from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import HotspotListView, PublishedReportViewSet

router = SimpleRouter()
router.register("analysis-reports", PublishedReportViewSet, basename="analysis-report")

urlpatterns = [
    path("hotspots/", HotspotListView.as_view(), name="api-hotspots"),
    *router.urls,
]
