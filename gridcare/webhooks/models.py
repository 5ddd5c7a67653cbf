"""Outgoing webhooks (事件推送): a partner's subscription (URL, events, secret, units), the
outbox of events owed to it (payload bytes frozen when the event was written), and every
attempt to deliver one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting

from .choices import DeliveryStatus

USER = settings.AUTH_USER_MODEL


class Subscription(BaseModel):
    """One receiver: ``url`` gets a signed POST (Standard Webhooks) for each of ``events``
    raised by an order under one of ``units`` (none: every unit). ``secret`` (``whsec_``
    + base64) is shown to the admin, who gives it to the receiver; rotating it replaces it.
    ``owner`` is told when the subscription is disabled after ``consecutive_failures``
    reached the setting's threshold. ``version`` grows on every change."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接收地址"), max_length=500)
    events = models.JSONField(_("事件"), default=list)
    secret = models.CharField(_("签名密钥"), max_length=100)
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("负责人")
    )
    units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+", verbose_name=_("单位范围"))
    active = models.BooleanField(_("启用"), default=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("事件推送订阅")
        verbose_name_plural = _("事件推送订阅")
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="webhooks_version_positive")]

    def __str__(self) -> str:
        return self.name


class WebhookEvent(models.Model):
    """One event owed to one subscription (the outbox row). ``body`` is the exact JSON sent
    (frozen when written); ``msg_id`` the Standard Webhooks id, the same on every retry.
    The worker takes a row by moving ``locked_until`` forward (a conditional update: one
    worker wins) and attempts it when ``next_attempt_at`` has come."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("订阅")
    )
    event_type = models.CharField(_("事件"), max_length=40)
    msg_id = models.CharField(_("消息编号"), max_length=40, unique=True)
    body = models.TextField(_("内容"))
    order_no = models.CharField(_("工单编号"), max_length=64, blank=True)
    outage_no = models.CharField(_("停电编号"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("产生时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    locked_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("投递时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送事件")
        verbose_name_plural = _("推送事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhooks_due")]

    def __str__(self) -> str:
        return f"{self.msg_id} {self.event_type}"


class DeliveryAttempt(models.Model):
    """One try at delivering an event: the answer's status code (none: no answer), how
    long it took, the first 500 characters of the answer, or what went wrong."""

    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="tries", verbose_name=_("推送事件")
    )
    at = models.DateTimeField(_("时间"))
    status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    response_excerpt = models.CharField(_("响应摘录"), max_length=500, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["event_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id}@{self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSetting(NamedIntegerSetting):
    """Named integer settings of the webhooks (settings pages; seeded defaults)."""

    MAX_ATTEMPTS = "max_attempts"
    BACKOFF_BASE_SECONDS = "backoff_base_seconds"
    BACKOFF_MAX_SECONDS = "backoff_max_seconds"
    FAILURES_BEFORE_DISABLE = "failures_before_disable"
    TIMEOUT_SECONDS = "timeout_seconds"
    ALLOW_PRIVATE_ADDRESSES = "allow_private_addresses"
    SPEC: dict[str, tuple[int, int, int]] = {
        MAX_ATTEMPTS: (8, 1, 20),
        BACKOFF_BASE_SECONDS: (30, 1, 3600),
        BACKOFF_MAX_SECONDS: (21600, 60, 86400),
        FAILURES_BEFORE_DISABLE: (20, 1, 1000),
        TIMEOUT_SECONDS: (5, 1, 30),
        ALLOW_PRIVATE_ADDRESSES: (0, 0, 1),
    }
    LABELS = {
        MAX_ATTEMPTS: _("每个事件最多投递次数"),
        BACKOFF_BASE_SECONDS: _("首次重试间隔（秒，之后逐次加倍）"),
        BACKOFF_MAX_SECONDS: _("重试间隔上限（秒）"),
        FAILURES_BEFORE_DISABLE: _("连续失败多少次后自动停用订阅"),
        TIMEOUT_SECONDS: _("投递超时（秒）"),
        ALLOW_PRIVATE_ADDRESSES: _("允许推送到内网或本机地址（1 允许，0 禁止）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("事件推送参数")
        verbose_name_plural = _("事件推送参数")
        ordering = ["key"]
