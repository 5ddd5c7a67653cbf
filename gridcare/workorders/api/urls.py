from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import WorkOrderPhotoFileView, WorkOrderViewSet

router = SimpleRouter()
router.register("work-orders", WorkOrderViewSet, basename="work-order")
urlpatterns = [
    path(
        "work-orders/<str:key>/photos/<str:token>/",
        WorkOrderPhotoFileView.as_view(),
        name="work-order-photo-file",
    ),
    *router.urls,
]
