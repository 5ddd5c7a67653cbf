from django.urls import path

from . import views

app_name = "escalation"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("board/", views.board, name="board"),
    path("urge/<str:key>/", views.urge, name="urge"),
    path("orders/<str:key>/panel/", views.order_panel, name="order-panel"),
    path("orders/<str:key>/escalate/", views.order_escalate_manual, name="order-escalate"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/record/", views.callback_record, name="callback-record"),
    path("callbacks/<int:pk>/panel/", views.callback_panel, name="callback-panel"),
    path("callbacks/<int:pk>/reveal/", views.callback_reveal, name="callback-reveal"),
    path("failures/", views.failures, name="failures"),
    path("failures/new/", views.failure_new_unlinked, name="failure-new-unlinked"),
    path("failures/new/<str:key>/", views.failure_new, name="failure-new"),
    path("failures/<int:pk>/", views.failure_detail, name="failure"),
    path("failures/<int:pk>/actions/", views.recovery_propose, name="recovery-propose"),
    path("recovery-actions/<int:pk>/<str:verb>/", views.recovery_act, name="recovery-act"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("supervisors/", views.supervisors, name="supervisors"),
    path("supervisors/<int:pk>/submit/", views.supervisor_submit, name="supervisor-submit"),
    path("consultations/", views.consultation_record, name="consultation-record"),
]
