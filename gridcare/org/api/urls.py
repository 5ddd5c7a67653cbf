from rest_framework.routers import SimpleRouter

from .views import OrgUnitViewSet

router = SimpleRouter()
router.register("org-units", OrgUnitViewSet, basename="org-unit")
urlpatterns = router.urls
