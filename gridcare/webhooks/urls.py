from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.new, name="new"),
    path("<str:pk>/", views.detail, name="detail"),
    path("<str:pk>/rotate/", views.rotate, name="rotate"),
    path("<str:pk>/enable/", views.enable, name="enable"),
    path("<str:pk>/disable/", views.disable, name="disable"),
    path("<str:pk>/test/", views.send_test, name="test"),
]
