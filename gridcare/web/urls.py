from django.contrib.auth import views as auth_views
from django.urls import path

from gridcare.core.authz import public

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("audit/", views.audit_list, name="audit-log"),
    path("import/", views.import_view, name="data-import"),
]
