from django.urls import path

from . import views

app_name = "proactive"
urlpatterns = [
    path("", views.lists, name="lists"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/launch/", views.campaign_launch, name="campaign-launch"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign-close"),
    path("campaigns/<int:pk>/cancel/", views.campaign_cancel, name="campaign-cancel"),
    path("campaigns/<int:pk>/record/", views.campaign_record, name="campaign-record"),
    path("demand/", views.demands, name="demands"),
    path("demand/new/", views.demand_new, name="demand-new"),
    path("demand/<int:pk>/", views.demand, name="demand"),
    path("demand/<int:pk>/edit/", views.demand_edit, name="demand-edit"),
    path("demand/<int:pk>/delete/", views.demand_delete, name="demand-delete"),
]
