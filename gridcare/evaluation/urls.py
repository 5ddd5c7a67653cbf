from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("export.xlsx", views.scorecard_xlsx, name="scorecard-xlsx"),
    path("internal/", views.internal, name="internal"),
    path("assessments/", views.assessments, name="assessments"),
    path("assessments/new/", views.assessment_new, name="assessment-new"),
    path("assessments/<str:pk>/", views.assessment_edit, name="assessment-edit"),
    path("assessments/<str:pk>/delete/", views.assessment_delete, name="assessment-delete"),
    path("experts/", views.experts, name="experts"),
    path("experts/<str:pk>/end/", views.expert_end, name="expert-end"),
]
