from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("clerks/", views.clerks, name="clerks"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("plans/", views.plans, name="plans"),
    path("<str:pk>/", views.detail, name="detail"),
    path("<str:pk>/stage/", views.complete_stage, name="complete-stage"),
    path("<str:pk>/document/", views.document, name="document"),
    path("<str:pk>/pause/", views.pause, name="pause"),
    path("<str:pk>/resume/", views.resume, name="resume"),
    path("<str:pk>/terminate/", views.terminate, name="terminate"),
    path("<str:pk>/home-visit/", views.home_visit, name="home-visit"),
    path("<str:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("<str:pk>/documents/<str:token>/", views.document_file, name="document-file"),
]
