"""Models of the workforce domain: contact volume, call records and cached forecasts."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Channel, VolumeSource

INTERVAL_MINUTES = (5, 15, 30, 60)


class ContactVolume(models.Model):
    """Contacts arriving in one interval on one channel — the series that forecasting reads.

    One row per (start, interval length, channel, source): imported call logs and counts
    derived from GridCare's own work orders are kept apart so neither overwrites the other.
    ``start`` is timezone-aware (Asia/Shanghai when the source was naive).
    """

    start = models.DateTimeField(_("时段开始"))
    interval_minutes = models.PositiveSmallIntegerField(_("时段长度（分钟）"), default=5)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.HOTLINE)
    count = models.PositiveIntegerField(_("来话量"))
    source = models.CharField(
        _("来源"), max_length=16, choices=VolumeSource.choices, default=VolumeSource.IMPORTED
    )

    class Meta:
        verbose_name = _("来话量")
        verbose_name_plural = _("来话量")
        ordering = ["channel", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["start", "interval_minutes", "channel", "source"],
                name="workforce_volume_unique_interval",
            ),
            models.CheckConstraint(
                condition=Q(interval_minutes__in=INTERVAL_MINUTES), name="workforce_volume_interval_allowed"
            ),
        ]
        indexes = [models.Index(fields=["channel", "interval_minutes", "start"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.start:%Y-%m-%d %H:%M} +{self.interval_minutes}m: {self.count}"

    def clean(self):
        if self.interval_minutes not in INTERVAL_MINUTES:
            raise ValidationError({"interval_minutes": _("时段长度须为 5、15、30 或 60 分钟")})


class CallRecord(models.Model):
    """One imported call: when it arrived, was answered and ended, or that the caller hung up.

    Kept so that abandonment (人工呼损), waiting times and handling times can be measured
    and the Erlang parameters (AHT, patience) estimated from real calls.
    """

    arrived_at = models.DateTimeField(_("来电时间"), db_index=True)
    answered_at = models.DateTimeField(_("接通时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    abandoned = models.BooleanField(_("放弃"), default=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.HOTLINE)

    class Meta:
        verbose_name = _("来电记录")
        verbose_name_plural = _("来电记录")
        ordering = ["arrived_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=models.F("arrived_at")),
                name="workforce_call_answered_after_arrival",
            ),
            models.CheckConstraint(
                condition=Q(abandoned=False) | Q(answered_at__isnull=True),
                name="workforce_call_abandoned_not_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrived_at:%Y-%m-%d %H:%M:%S} {'abandoned' if self.abandoned else 'answered'}"

    @property
    def wait_seconds(self) -> float | None:
        end = self.answered_at or (self.ended_at if self.abandoned else None)
        return (end - self.arrived_at).total_seconds() if end else None


class ForecastRun(models.Model):
    """A fitted forecast kept so pages and staffing read it instead of refitting per request."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.HOTLINE)
    model_name = models.CharField(_("模型"), max_length=64)
    interval_minutes = models.PositiveSmallIntegerField(_("时段长度（分钟）"))
    horizon_days = models.PositiveSmallIntegerField(_("预测天数"), default=1)
    first_start = models.DateTimeField(_("首个时段"), null=True, blank=True)
    history_end = models.DateTimeField(_("历史截止"), null=True, blank=True)
    result = models.JSONField(
        _("预测结果"), default=dict
    )  # Forecast.as_dict(): rows of start/forecast/lo80/hi80
    backtest = models.JSONField(_("回测"), default=dict, blank=True)

    class Meta:
        verbose_name = _("预测运行")
        verbose_name_plural = _("预测运行")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.model_name} {self.interval_minutes}m @ {self.created_at:%Y-%m-%d %H:%M}"
