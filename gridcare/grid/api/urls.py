from rest_framework.routers import SimpleRouter

from .views import FeederViewSet, SubstationViewSet, TransformerAreaViewSet

router = SimpleRouter()
router.register("substations", SubstationViewSet, basename="substation")
router.register("feeders", FeederViewSet, basename="feeder")
router.register("transformer-areas", TransformerAreaViewSet, basename="transformer-area")
urlpatterns = router.urls
