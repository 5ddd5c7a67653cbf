from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("rectification-items", views.RectificationItemViewSet, basename="rectification-item")
urlpatterns = router.urls
