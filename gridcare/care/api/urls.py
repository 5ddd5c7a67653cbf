from django.urls import path

from .views import CallerCareView

urlpatterns = [path("care/caller/", CallerCareView.as_view(), name="api-care-caller")]
