"""The page a new account's one-time link opens to set its password (``org.invitations``).

Django's password-reset confirmation (the token checked, then kept in the session so it
never travels in a Referer header) on GridCare's own page, public. Every wrong or expired
link counts as a failed sign-in for that user from that address (django-axes, the same
lockout as the sign-in page), so nobody can try tokens at will.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _

SESSION_TOKEN = auth_views.INTERNAL_RESET_SESSION_TOKEN


def _token_expires_at(token: str | None) -> dt.datetime | None:
    """When a token made by ``default_token_generator`` stops working (its timestamp plus
    ``PASSWORD_RESET_TIMEOUT``); None for something that is not such a token."""
    try:
        made = dt.datetime(2001, 1, 1) + dt.timedelta(seconds=base36_to_int((token or "").split("-")[0]))
    except (ValueError, OverflowError):
        return None
    # The generator counts in the server's local time, as datetime.now() does.
    return timezone.make_aware(made + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT))


class SetPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "registration/set_password.html"
    reset_url_token = "set"
    success_url = reverse_lazy("login")

    def _credentials(self, uidb64: str) -> dict:
        user = self.get_user(uidb64)
        return {"username": user.get_username() if user is not None else f"link:{uidb64}"[:150]}

    def dispatch(self, *args, **kwargs):
        request = self.request
        credentials = self._credentials(kwargs.get("uidb64", ""))
        if getattr(settings, "AXES_ENABLED", True):
            from axes.handlers.proxy import AxesProxyHandler

            if not AxesProxyHandler.is_allowed(request, credentials):
                return self._locked_out()
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return self._locked_out()
        return response

    def _locked_out(self):
        from gridcare.org.authentication import lockout_message

        self.request.gridcare_lockout_shown = True  # the lockout middleware keeps this page
        return self.render_to_response(
            {"validlink": False, "form": None, "lockout_message": lockout_message()}, status=429
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["valid_hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
        if self.validlink:
            ctx["username"] = self.user.get_username()
            ctx["expires_at"] = _token_expires_at(self.request.session.get(SESSION_TOKEN))
        return ctx

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("密码已设置，请用用户名 %(username)s 和新密码登录。") % {"username": self.user.get_username()},
        )
        return response
