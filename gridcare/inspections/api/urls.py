from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("inspections/sites", views.InspectionSiteViewSet, basename="inspection-site")
router.register("inspections/inspections", views.InspectionViewSet, basename="inspection")
urlpatterns = [
    path("inspections/coverage/", views.InspectionCoverageView.as_view(), name="inspection-coverage"),
    *router.urls,
]
