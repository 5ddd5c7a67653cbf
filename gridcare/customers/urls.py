from django.urls import path

from . import views, views_grids

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("grids/", views_grids.grid_list, name="grids"),
    path("grids/new/", views_grids.grid_new, name="grid-new"),
    path("grids/reassign/", views_grids.grid_reassign, name="grid-reassign"),
    path("grids/<str:code>/", views_grids.grid_detail, name="grid"),
    path("grids/<str:code>/edit/", views_grids.grid_edit, name="grid-edit"),
    path("worklist/", views_grids.worklist, name="worklist"),
    path("worklist/<str:username>/", views_grids.worklist_of, name="worklist-of"),
    path("<str:customer_no>/", views.customer_detail, name="detail"),
    path("<str:customer_no>/reveal/", views.customer_reveal, name="reveal"),
    path("<str:customer_no>/edit/", views.customer_edit, name="edit"),
    path("<str:customer_no>/manager/", views_grids.customer_manager, name="manager"),
]
