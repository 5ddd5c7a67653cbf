from django.urls import path

from . import views

app_name = "workorders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("intake/", views.intake, name="intake"),
    path("intake/lookup/", views.caller_lookup, name="lookup"),
    path("intake/areas/", views.area_search, name="area-search"),
    path("intake/duplicates/", views.duplicates, name="duplicates"),
    path("queue/", views.queue, name="queue"),
    path("mine/", views.my_orders, name="mine"),
    path("first-contact/", views.first_contact, name="first-contact"),
    path("customer/<str:customer_no>/", views.customer_orders, name="customer-orders"),
    path("<str:key>/", views.order_detail, name="detail"),
    path("<str:key>/act/<str:action>/", views.order_action, name="action"),
    path("<str:key>/handlers/", views.handler_options, name="handlers"),
    path("<str:key>/photos/", views.photo_add, name="photo-add"),
]
