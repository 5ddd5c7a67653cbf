from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export_xlsx, name="export"),
]
