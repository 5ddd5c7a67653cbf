from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.new, name="new"),
    path("<str:pk>/", views.detail, name="detail"),
    path("<str:pk>/fix/", views.fix, name="fix"),
    path("<str:pk>/verify/", views.verify, name="verify"),
    path("<str:pk>/reopen/", views.reopen, name="reopen"),
    path("<str:pk>/cancel/", views.cancel, name="cancel"),
    path("<str:pk>/evidence/<str:token>/", views.evidence_file, name="evidence-file"),
]
