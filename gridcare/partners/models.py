"""Partners (合作方): other systems that come in through GridCare's Open311 GeoReport v2
endpoint with an API key — the city's 12345 government hotline, a partner app.

A key is shown once when issued; only its prefix (to find it) and the SHA-256 of the whole
key (to check it) are stored. A key is scoped to units (it sees only orders of those units
and below) and to endpoints (read, post). Every call made with a key — or with a key that
is not one — is recorded (``PartnerCall``); calls are counted per key and minute in the
database (``RateCounter``), so the limit holds across processes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager
from gridcare.workorders.choices import ApplicationSubtype, Channel, Dimension, RequestType

from .choices import Endpoint

USER = settings.AUTH_USER_MODEL


class Partner(BaseModel):
    """A partner organisation. ``unit`` receives the orders it submits (they carry no
    transformer area, so the order belongs to that unit until dispatched); ``user`` is the
    partner's service account (a staff profile at ``unit`` that cannot sign in), the actor
    of the orders it submits. ``channel``: the channel its orders are taken on (blank: the
    Open311 default on the settings pages)."""

    name = models.CharField(_("合作方名称"), max_length=100, unique=True)
    contact = models.CharField(_("联系人及方式"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("受理单位")
    )
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices, blank=True)
    user = models.OneToOneField(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务账号")
    )
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("合作方")
        verbose_name_plural = _("合作方")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(BaseModel):
    """One API key of a partner: ``gc_<prefix>_<secret>``. ``prefix`` finds it, ``key_hash``
    (SHA-256 of the whole key) checks it; the key itself is never stored."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="keys", verbose_name=_("合作方")
    )
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, editable=False)
    units = models.ManyToManyField("org.OrgUnit", related_name="+", verbose_name=_("数据范围"))
    endpoints = models.JSONField(_("可调用接口"), default=list)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("签发人")
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("partner__unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.partner} gc_{self.prefix}_…"

    def allows(self, endpoint: str) -> bool:
        return endpoint in (self.endpoints or [])

    def state(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    @property
    def endpoint_labels(self) -> list:
        return [Endpoint(e).label for e in self.endpoints or [] if e in Endpoint.values]


class PartnerRequest(models.Model):
    """An order a partner submitted through Open311, with the token answered for it and the
    location it gave (``lat``/``long``: the order itself keeps only an address text)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="requests")
    key = models.ForeignKey(ApiKey, null=True, on_delete=models.SET_NULL, related_name="+")
    order = models.OneToOneField("workorders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True)
    service_code = models.CharField(max_length=64)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    at = models.DateTimeField()

    scope = PathScope("order__unit_path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.token


class PartnerCall(models.Model):
    """One call to a partner endpoint (the audit of partner access; lean on purpose).
    ``key`` is empty when the call named no valid key; ``prefix`` keeps what it named."""

    key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.CASCADE, related_name="calls")
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    scope = PathScope("partner__unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("合作方调用记录")
        verbose_name_plural = _("合作方调用记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["key", "-at"], name="partners_call_key_at"),
            models.Index(fields=["ip", "status", "at"], name="partners_call_ip_failed"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class RateCounter(models.Model):
    """Calls of one key in one minute (the rate limit, shared by every process)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "minute"], name="partners_rate_once")]


class ServiceMapping(models.Model):
    """One Open311 service (service_code) and the order it becomes: request type,
    dimension and (for applications) subtype. Edited on the settings pages."""

    service_code = models.SlugField(_("服务代码"), max_length=64, unique=True)
    name = models.CharField(_("服务名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    request_type = models.CharField(_("诉求类型"), max_length=24, choices=RequestType.choices)
    dimension = models.CharField(_("分析维度"), max_length=32, choices=Dimension.choices)
    subtype = models.CharField(_("业务子类"), max_length=24, choices=ApplicationSubtype.choices, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("以逗号分隔"))
    group = models.CharField(_("分组"), max_length=50, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("Open311 服务映射")
        verbose_name_plural = _("Open311 服务映射")
        ordering = ["order", "service_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtype="") | Q(request_type=RequestType.SERVICE_APPLICATION),
                name="partners_subtype_only_applications",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.request_type == RequestType.SERVICE_APPLICATION and not self.subtype:
            raise ValidationError({"subtype": _("业务申请必须选择业务子类")})
        if self.subtype and self.request_type != RequestType.SERVICE_APPLICATION:
            raise ValidationError({"subtype": _("只有业务申请可选业务子类")})


class Open311Config(models.Model):
    """The Open311 endpoint's words (one row): the ``jurisdiction_id`` it answers to and the
    channel orders from partners are taken on (a partner may name its own)."""

    jurisdiction_id = models.CharField(_("jurisdiction_id"), max_length=100, default="gridcare.example")
    channel = models.CharField(_("默认受理渠道"), max_length=16, choices=Channel.choices, default=Channel.WEB)

    class Meta:
        verbose_name = _("Open311 接口")
        verbose_name_plural = _("Open311 接口")

    def __str__(self) -> str:
        return self.jurisdiction_id

    @classmethod
    def current(cls) -> Open311Config:
        return cls.objects.order_by("pk").first() or cls()


class PartnerSetting(NamedIntegerSetting):
    """Named integer settings of partner access (settings pages; bounds checked on save)."""

    RATE_PER_MINUTE = "rate_per_minute"
    MAX_RESULTS = "max_results"
    CALL_RETENTION_DAYS = "call_retention_days"
    FAILED_KEYS_PER_IP = "failed_keys_per_ip"
    FAILED_KEY_WINDOW_MINUTES = "failed_key_window_minutes"
    SPEC: dict[str, tuple[int, int, int]] = {
        RATE_PER_MINUTE: (60, 1, 10000),
        MAX_RESULTS: (200, 1, 1000),
        CALL_RETENTION_DAYS: (365, 30, 3650),
        FAILED_KEYS_PER_IP: (20, 1, 1000),
        FAILED_KEY_WINDOW_MINUTES: (10, 1, 1440),
    }
    LABELS = {
        RATE_PER_MINUTE: _("每个密钥每分钟最多调用次数"),
        MAX_RESULTS: _("诉求查询每次最多返回条数"),
        CALL_RETENTION_DAYS: _("调用记录保留天数"),
        FAILED_KEYS_PER_IP: _("同一 IP 在时间窗内最多无效密钥次数（超过即暂停该 IP 的调用）"),
        FAILED_KEY_WINDOW_MINUTES: _("无效密钥计数时间窗（分钟）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("合作方接入参数")
        verbose_name_plural = _("合作方接入参数")
        ordering = ["key"]
