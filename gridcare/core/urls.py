from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .authz import public

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("audit/", views.audit_list, name="core-audit"),
    path("import/", views.import_view, name="core-import"),
    path("healthz", views.healthz, name="healthz"),
]
