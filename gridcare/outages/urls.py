from django.urls import path

from . import views

app_name = "outages"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("reliability/", views.reliability_page, name="reliability"),
    path("<str:outage_no>/", views.detail, name="detail"),
    path("<str:outage_no>/start/", views.start, name="start"),
    path("<str:outage_no>/restore/", views.restore, name="restore"),
    path("<str:outage_no>/cancel/", views.cancel, name="cancel"),
]
