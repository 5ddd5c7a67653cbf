from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.new, name="new"),
    path("csi/", views.csi, name="csi"),
    path("csi.xlsx", views.csi_xlsx, name="csi-xlsx"),
    path("a/<str:token>/", views.answer, name="answer"),
    path("<str:pk>/", views.detail, name="detail"),
    path("<str:pk>/send/", views.send, name="send"),
    path("<str:pk>/close/", views.close, name="close"),
]
