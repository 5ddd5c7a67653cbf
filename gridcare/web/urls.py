from django.contrib.auth import views as auth_views
from django.urls import path

from gridcare.core.authz import public

from . import views
from .accounts import SetPasswordView

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    # A new account's one-time link (gridcare.org.invitations); wrong links count as failed sign-ins.
    path("set-password/<uidb64>/<token>/", public(SetPasswordView.as_view()), name="set-password"),
    path("audit/", views.audit_list, name="audit-log"),
    path("import/", views.import_view, name="data-import"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/<slug:key>/", views.settings_list, name="settings-list"),
    path("settings/<slug:key>/<str:pk>/", views.settings_edit, name="settings-edit"),
]
