from django.urls import path

from . import views

app_name = "dataquality"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("run/", views.run_now, name="run"),
    path("findings/", views.findings, name="findings"),
    path("findings/assign/", views.bulk_assign, name="bulk-assign"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("findings/<int:pk>/assign/", views.assign, name="assign"),
    path("findings/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("findings/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("findings/<int:pk>/rectify/", views.rectify, name="rectify"),
]
