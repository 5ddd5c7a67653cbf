from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("new/", views.partner_new, name="new"),
    path("<str:pk>/", views.partner_detail, name="detail"),
    path("<str:pk>/edit/", views.partner_edit, name="edit"),
    path("<str:pk>/keys/issue/", views.key_issue, name="key-issue"),
    path("keys/<str:pk>/", views.key_detail, name="key"),
    path("keys/<str:pk>/revoke/", views.key_revoke, name="key-revoke"),
]
