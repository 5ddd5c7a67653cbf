"""Authentication that loads the user's staff profile and unit with the user.

Every request of a staff member needs their unit (data scope) and role; reading them in
the same query as the user saves two round trips per request, API and web alike.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

WITH_STAFF = ("staff", "staff__unit")


class StaffTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, with the staff profile joined in."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user", *(f"user__{r}" for r in WITH_STAFF)).get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("无效的令牌 / invalid token") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("用户已停用 / user inactive or deleted")
        return token.user, token


class StaffModelBackend(ModelBackend):
    """Django's model backend; the session's user comes with its staff profile."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related(*WITH_STAFF).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
