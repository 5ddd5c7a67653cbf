from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("evaluation/assessments", views.ExpertAssessmentViewSet, basename="evaluation-assessment")
urlpatterns = [
    path("evaluation/scorecard/", views.ScorecardView.as_view(), name="evaluation-scorecard"),
    *router.urls,
]
