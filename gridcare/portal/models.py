"""The customer portal's own tables: sign-in codes, the abuse counters, what customers
upload and rate, contact changes waiting for staff, and anonymous reports' tracking codes.

Orders themselves are workorders' (channel ``web``); the portal only links to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import ChangeStatus


class SignInCode(models.Model):
    """One SMS code asked for on the sign-in page. A row is written whether or not the
    customer number and phone matched (``customer`` is then empty and no code was sent), so
    the caller cannot tell the two apart. Only a keyed hash of the code is kept."""

    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phone_key = models.CharField(max_length=64)  # keyed hash of the phone as typed
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        indexes = [models.Index(fields=["expires_at"], name="portal_code_expiry")]


class RateCounter(models.Model):
    """How many times ``key`` (an action and who: ``send:ip:…``, ``wrong:phone:…``) happened
    in the fixed window starting at ``window_start``. Kept in the database so every process
    counts the same events."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="portal_rate_unique")]
        indexes = [models.Index(fields=["window_start"], name="portal_rate_window")]


def attachment_path(attachment: PortalAttachment, filename: str) -> str:
    return f"portal/attachments/{attachment.order_id}/{attachment.token}.{attachment.extension}"


class PortalAttachment(models.Model):
    """A file a customer attached to a request on the portal (type checked by content)."""

    order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=120, blank=True)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("客户上传附件")
        verbose_name_plural = _("客户上传附件")
        ordering = ["uploaded_at", "id"]


class PortalRating(models.Model):
    """A customer's rating of a replied order, given once. ``callback`` is the callback task
    the rating was recorded on (escalation's one definition of satisfaction), when the order
    had one."""

    order = models.OneToOneField("workorders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"))
    words = models.TextField(_("评价内容"), blank=True)
    outcome = models.CharField(_("回访结果"), max_length=24)
    callback = models.ForeignKey(
        "escalation.CallbackTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("客户评价")
        verbose_name_plural = _("客户评价")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="portal_rating_score")
        ]


class ContactChange(BaseModel):
    """A customer's request to change the phone or address on file, reviewed by staff of the
    customer's supply station before it changes master data."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    phone = models.CharField(_("新联系电话"), max_length=20, blank=True)
    address = models.CharField(_("新用电地址"), max_length=200, blank=True)
    old_phone = models.CharField(max_length=20, blank=True)
    old_address = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("客户说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    unit_path = models.CharField(max_length=255)
    version = models.PositiveIntegerField(default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("客户信息变更申请")
        verbose_name_plural = _("客户信息变更申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="pending"), name="portal_change_one_pending"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "unit_path"], name="portal_change_status"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.status}"


class AnonymousReport(models.Model):
    """An anonymous report (举报): the order it became and the hash of its tracking code
    (the reporter keeps the code; we cannot read it back)."""

    order = models.OneToOneField("workorders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    topic = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("匿名举报")
        verbose_name_plural = _("匿名举报")
