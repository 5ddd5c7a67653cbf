from django.urls import path

from . import views

app_name = "keyaccounts"
urlpatterns = [
    path("", views.inspections, name="inspections"),
    path("plans/", views.plans, name="plans"),
    path("report/", views.report, name="report"),
    path("customers/<str:customer_no>/", views.customer_page, name="customer"),
    path("customers/<str:customer_no>/subscribe/", views.subscribe, name="subscribe"),
    path("customers/<str:customer_no>/plans/new/", views.plan_new, name="plan-new"),
    path("subscriptions/<str:pk>/end/", views.subscription_end, name="subscription-end"),
    path("inspections/<str:pk>/", views.inspection, name="inspection"),
    path("inspections/<str:pk>/record/", views.inspection_record, name="inspection-record"),
    path("inspections/<str:pk>/cancel/", views.inspection_cancel, name="inspection-cancel"),
    path("plans/<str:pk>/", views.plan, name="plan"),
    path("plans/<str:pk>/document/", views.plan_document, name="plan-document"),
    path("plans/<str:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<str:pk>/drills/", views.drill_new, name="drill-new"),
    path("drills/<str:pk>/record/", views.drill_record, name="drill-record"),
    path("drills/<str:pk>/cancel/", views.drill_cancel, name="drill-cancel"),
]
