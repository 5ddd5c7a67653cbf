from django.urls import path

from . import views

app_name = "care"
urlpatterns = [path("segments/", views.segments_page, name="segments")]
