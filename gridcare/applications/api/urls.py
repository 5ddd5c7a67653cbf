from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("applications", views.ApplicationViewSet, basename="application")
urlpatterns = [
    path("applications/report/", views.ProcessReportView.as_view(), name="application-report"),
    *router.urls,
]
