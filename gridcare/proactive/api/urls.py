from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("meter-facts", views.MeterFactViewSet, basename="meter-fact")
router.register("care-campaigns", views.CampaignViewSet, basename="care-campaign")
router.register("potential-demands", views.PotentialDemandViewSet, basename="potential-demand")
urlpatterns = router.urls
