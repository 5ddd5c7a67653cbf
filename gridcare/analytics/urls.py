from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("hotspots/", views.hotspots, name="hotspots"),
    path("hotspots/export.<str:fmt>", views.hotspots_export, name="hotspots-export"),
    path("hotspots/decide/", views.hotspot_decide, name="hotspot-decide"),
    path("hotspots/actions/", views.hotspot_actions, name="hotspot-actions"),
    path("reports/", views.report_list, name="reports"),
    path("reports/publish/", views.report_publish_view, name="report-publish"),
    path("reports/jobs/", views.report_jobs, name="report-jobs"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/file.<str:fmt>", views.report_file, name="report-file"),
    path("consultation/", views.consultation, name="consultation"),
    path("suggest/", views.suggest, name="suggest"),
]
