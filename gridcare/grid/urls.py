from django.urls import path

from . import views

app_name = "grid"
urlpatterns = [
    path("", views.station_list, name="stations"),
    path("export/", views.grid_export, name="export"),
    path("stations/<str:code>/", views.station_detail, name="station"),
    path("feeders/<str:code>/", views.feeder_detail, name="feeder"),
    path("areas/", views.area_list, name="areas"),
    path("areas/<str:code>/", views.area_detail, name="area"),
]
