from django.urls import path

from . import views, views_bursts, views_frequent, views_repair

app_name = "outages"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("bursts/confirm/", views_bursts.confirm, name="burst-confirm"),
    path("reliability/", views.reliability_page, name="reliability"),
    path("frequent/", views_frequent.frequent_page, name="frequent"),
    path("repair-times/", views_repair.repair_times_page, name="repair-times"),
    path("<str:outage_no>/", views.detail, name="detail"),
    path("<str:outage_no>/start/", views.start, name="start"),
    path("<str:outage_no>/restore/", views.restore, name="restore"),
    path("<str:outage_no>/cancel/", views.cancel, name="cancel"),
    path("<str:outage_no>/isolate/", views.isolate, name="isolate"),
]
