"""One-time set-password links for new accounts (imported staff have no password).

A link is Django's password-reset token (``default_token_generator``): it names the user,
is valid for ``PASSWORD_RESET_TIMEOUT`` seconds and stops working once the password is set
(the token is derived from the password hash) or the user has signed in. The page that
takes it is ``set-password`` (public; wrong links count against the sign-in lockout).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SetPasswordLink:
    username: str
    display_name: str
    email: str
    url: str
    expires_at: dt.datetime


def set_password_link(user, *, display_name: str = "") -> SetPasswordLink:
    """A fresh link for ``user`` (the address from ``GRIDCARE_BASE_URL``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("set-password", kwargs={"uidb64": uid, "token": token})
    return SetPasswordLink(
        username=user.get_username(),
        display_name=display_name or user.first_name,
        email=user.email,
        url=settings.GRIDCARE_BASE_URL + path,
        expires_at=timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    )


def _expiry(link: SetPasswordLink) -> str:
    return f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}"


def deliver_set_password_links(links: list[SetPasswordLink]) -> list[str]:
    """E-mail each link to its user when e-mail is configured (``GRIDCARE_SET_PASSWORD_EMAIL``)
    and the user has an address; returns the lines to print for the others (one per user:
    username, name, link, expiry) — whoever ran the import hands those out."""
    lines = []
    email = getattr(settings, "GRIDCARE_SET_PASSWORD_EMAIL", False)
    for link in links:
        failure = ""
        if email and link.email:
            try:
                _send(link)
            except Exception as exc:  # SMTP refused, unreachable …: the accounts exist, print the link
                failure = str(exc)[:200] or type(exc).__name__
            else:
                lines.append(
                    _("%(username)s：设置密码链接已发送至 %(email)s（%(expires)s 前有效）")
                    % {"username": link.username, "email": link.email, "expires": _expiry(link)}
                )
                continue
        line = _("%(username)s（%(name)s）设置密码：%(url)s （%(expires)s 前有效）") % {
            "username": link.username,
            "name": link.display_name,
            "url": link.url,
            "expires": _expiry(link),
        }
        if failure:
            line += " " + _("［邮件发送失败：%(detail)s］") % {"detail": failure}
        lines.append(line)
    return lines


def _send(link: SetPasswordLink) -> None:
    send_mail(
        _("GridCare：请设置您的登录密码"),
        _(
            "%(name)s，您好：\n\n已为您开通 GridCare 账号，用户名 %(username)s。"
            "请打开下面的链接设置登录密码（链接只能使用一次，%(expires)s 前有效）：\n\n%(url)s\n\n"
            "如果链接已失效，请联系系统管理员重新发送。"
        )
        % {
            "name": link.display_name or link.username,
            "username": link.username,
            "expires": _expiry(link),
            "url": link.url,
        },
        None,
        [link.email],
    )
