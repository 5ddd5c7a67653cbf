from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("service-packages", views.ServicePackageViewSet, basename="service-package")
router.register("key-account-subscriptions", views.SubscriptionViewSet, basename="key-account-subscription")
router.register("safety-inspections", views.SafetyInspectionViewSet, basename="safety-inspection")
router.register("emergency-plans", views.EmergencyPlanViewSet, basename="emergency-plan")
router.register("emergency-drills", views.DrillViewSet, basename="emergency-drill")
urlpatterns = router.urls
