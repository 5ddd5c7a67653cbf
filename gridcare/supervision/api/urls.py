from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("supervision/plans", views.PlanViewSet, basename="supervision-plan")
router.register("supervision/points", views.PointViewSet, basename="supervision-point")
router.register("supervision/rewards", views.RewardViewSet, basename="supervision-reward")
router.register("supervision/violations", views.ViolationViewSet, basename="supervision-violation")
urlpatterns = [
    path(
        "supervision/conduct-figures/", views.ConductFiguresView.as_view(), name="supervision-conduct-figures"
    ),
    path(
        "supervision/recurring-causes/",
        views.RecurringCausesView.as_view(),
        name="supervision-recurring-causes",
    ),
    *router.urls,
]
