from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("escalations", views.EscalationViewSet, basename="escalation")
router.register("urges", views.UrgeViewSet, basename="urge")
router.register("callback-tasks", views.CallbackTaskViewSet, basename="callback-task")
router.register("service-failures", views.ServiceFailureViewSet, basename="service-failure")
router.register("recovery-actions", views.RecoveryActionViewSet, basename="recovery-action")
router.register("social-supervisors", views.SocialSupervisorViewSet, basename="social-supervisor")
urlpatterns = router.urls
