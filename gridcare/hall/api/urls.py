from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("hall/halls", views.HallViewSet, basename="hall-hall")
router.register("hall/counters", views.HallCounterViewSet, basename="hall-counter")
router.register("hall/tickets", views.HallTicketViewSet, basename="hall-ticket")
urlpatterns = [
    path("hall/figures/", views.HallFiguresView.as_view(), name="hall-figures"),
    *router.urls,
]
