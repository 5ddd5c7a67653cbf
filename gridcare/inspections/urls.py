from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.new, name="new"),
    path("plan/", views.plan, name="plan"),
    path("plan.xlsx", views.plan_xlsx, name="plan-xlsx"),
    path("sites/sync/", views.sites_sync, name="sites-sync"),
    path("results/", views.published, name="published"),
    path("results/<str:pk>/", views.published_detail, name="published-detail"),
    path("<str:pk>/", views.detail, name="detail"),
    path("<str:pk>/publish/", views.publish, name="publish"),
    path("<str:pk>/files/", views.file_add, name="file-add"),
    path("<str:pk>/files/<str:token>/", views.file, name="file"),
]
