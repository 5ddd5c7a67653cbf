from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("webhooks/subscriptions", views.SubscriptionViewSet, basename="webhook-subscription")
urlpatterns = router.urls
