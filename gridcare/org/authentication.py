"""Authentication that loads the user's staff profile and unit with the user.

Every request of a staff member needs their unit (data scope) and role; reading them in
the same query as the user saves two round trips per request, API and web alike.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

WITH_STAFF = ("staff", "staff__unit")


class StaffTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, with the staff profile joined in."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user", *(f"user__{r}" for r in WITH_STAFF)).get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(gettext("无效的令牌")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(gettext("用户已停用或已删除"))
        return token.user, token


class StaffModelBackend(ModelBackend):
    """Django's model backend; the session's user comes with its staff profile."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related(*WITH_STAFF).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


# Sign-in lockout (django-axes; settings AXES_*).


def client_ip_address(request: HttpRequest) -> str | None:
    """The address failed sign-ins are counted against.

    Behind the reverse proxy (GRIDCARE_BEHIND_PROXY) every request comes from the proxy: the
    client is the last X-Forwarded-For entry, the one the proxy appended (entries before it
    are whatever the client sent, so never trusted).
    """
    if settings.BEHIND_PROXY:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    """What a locked-out user is told, in their language."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    if minutes <= 0:
        return gettext("登录失败次数过多，此账号在本机已被锁定，请联系系统管理员解锁。")
    return gettext(
        "登录失败次数过多，此账号在本机已暂时锁定，请 %(minutes)d 分钟后再试，或联系系统管理员解锁。"
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The answer to a sign-in refused by the lockout (AXES_LOCKOUT_CALLABLE), status 429.

    The sign-in page (gridcare.web.views.LoginView) already shows the message; any other
    sign-in form (the admin's) gets the sign-in page with it.
    """
    if original_response is not None and getattr(request, "gridcare_lockout_shown", False):
        return original_response
    message = lockout_message()
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"detail": message}, status=429)
    from django.contrib.auth.forms import AuthenticationForm

    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "lockout_message": message,
            "next": request.GET.get("next", ""),
        },
        status=429,
    )
