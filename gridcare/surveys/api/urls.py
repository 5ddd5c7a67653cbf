from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("surveys/campaigns", views.SurveyCampaignViewSet, basename="survey-campaign")
urlpatterns = [
    path("surveys/csi/", views.SurveyCsiView.as_view(), name="surveys-csi"),
    *router.urls,
]
