from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.points, name="points"),
    path("plans/", views.plan_save, name="plan-save"),
    path("points/new/", views.point_raise, name="point-raise"),
    path("points/<int:pk>/", views.point_detail, name="point"),
    path("points/<int:pk>/answer/", views.point_answer, name="point-answer"),
    path("points/<int:pk>/rectify/", views.point_rectify, name="point-rectify"),
    path("rewards/new/", views.reward_propose, name="reward-propose"),
    path("rewards/<int:pk>/<str:verb>/", views.reward_decide, name="reward-decide"),
    path("conduct/", views.conduct, name="conduct"),
    path("conduct/new/", views.violation_record, name="violation-record"),
    path("conduct/<int:pk>/withdraw/", views.violation_withdraw, name="violation-withdraw"),
    path("causes/", views.causes, name="causes"),
    path("causes/open/", views.cause_open, name="cause-open"),
]
