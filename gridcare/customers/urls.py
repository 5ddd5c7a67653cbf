from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("<str:customer_no>/", views.customer_detail, name="detail"),
    path("<str:customer_no>/reveal/", views.customer_reveal, name="reveal"),
    path("<str:customer_no>/edit/", views.customer_edit, name="edit"),
]
