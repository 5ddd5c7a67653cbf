"""The business-hall queue (取号/叫号): halls with their opening hours, counters, service
types, tickets with every state change timed, and the customer's rating of the clerk.

A ticket's **wait** is ``called_at - issued_at`` (no-shows count: they were called); its
**service time** is ``finished_at - serving_at`` (``selectors`` holds the one definition).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import PriorityClass, TicketEventKind, TicketStatus

USER = settings.AUTH_USER_MODEL
HOURS_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def parse_hours(text: str) -> tuple[dt.time, dt.time] | None:
    """``"08:30-17:30"`` -> (08:30, 17:30); blank -> None (closed)."""
    text = (text or "").strip()
    if not text:
        return None
    m = HOURS_RE.match(text)
    if not m:
        raise ValueError(text)
    start = dt.time(int(m.group(1)), int(m.group(2)))
    end = dt.time(int(m.group(3)), int(m.group(4)))
    if end <= start:
        raise ValueError(text)
    return start, end


def _check_hours(value: str) -> None:
    try:
        parse_hours(value)
    except ValueError:
        raise ValidationError(_("营业时间格式为 08:30-17:30（结束晚于开始），空表示不营业")) from None


class Hall(BaseModel):
    """A business hall (营业厅) of a county company or a station. ``unit_path`` copies the
    unit's path (lists scope without a join). Tickets are taken only while it is open:
    within the hours of the day (working days / rest days), not on statutory holidays
    unless ``open_on_holidays``, and not while ``closed_now`` (an unplanned closure)."""

    code = models.CharField(_("营业厅编码"), max_length=32, unique=True)
    name = models.CharField(_("营业厅名称"), max_length=100)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单位")
    )
    unit_path = models.CharField(_("单位路径"), max_length=255, db_index=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    weekday_hours = models.CharField(
        _("工作日营业时间"), max_length=11, default="08:30-17:30", validators=[_check_hours]
    )
    weekend_hours = models.CharField(
        _("周末营业时间"),
        max_length=11,
        blank=True,
        default="09:00-16:00",
        validators=[_check_hours],
        help_text=_("空表示周末不营业"),
    )
    open_on_holidays = models.BooleanField(_("法定节假日营业"), default=False)
    closed_now = models.BooleanField(_("临时闭厅"), default=False)
    closed_note = models.CharField(_("闭厅说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("营业厅")
        verbose_name_plural = _("营业厅")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.unit_id:
            self.unit_path = self.unit.path
        super().save(*args, **kwargs)

    def hours_on(self, day: dt.date) -> tuple[dt.time, dt.time] | None:
        """The opening hours of ``day``; None when the hall does not open that day."""
        from gridcare.core.calendar import is_working_day

        if is_working_day(day):
            return parse_hours(self.weekday_hours)
        if day.weekday() < 5 and not self.open_on_holidays:  # a weekday off: a statutory holiday
            return None
        return parse_hours(self.weekend_hours)


class ServiceType(BaseModel):
    """What a customer comes for (业务办理, 交费, 咨询…): the ticket letter and the average
    service minutes the board's estimate uses. Admin-edited on the settings pages."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    prefix = models.CharField(_("号码字母"), max_length=1, unique=True, help_text=_("一个大写字母，如 A"))
    average_minutes = models.PositiveSmallIntegerField(_("平均办理分钟"), default=8)
    order = models.PositiveSmallIntegerField(_("排序"), default=10)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("业务类型")
        verbose_name_plural = _("业务类型")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(average_minutes__gte=1, average_minutes__lte=240), name="hall_type_minutes_range"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not re.fullmatch(r"[A-Z]", self.prefix or ""):
            raise ValidationError({"prefix": _("号码字母须为一个大写字母")})
        if not 1 <= (self.average_minutes or 0) <= 240:
            raise ValidationError({"average_minutes": _("取值范围 %(lo)s～%(hi)s") % {"lo": 1, "hi": 240}})


class Counter(BaseModel):
    """A counter (窗口) of a hall and the service types it serves (``service_codes``:
    comma-separated type codes; blank serves every type)."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="counters", verbose_name=_("营业厅")
    )
    number = models.PositiveSmallIntegerField(_("窗口号"))
    service_codes = models.CharField(
        _("办理业务"), max_length=200, blank=True, help_text=_("业务类型编码，逗号分隔；空表示全部")
    )
    active = models.BooleanField(_("启用"), default=True)

    scope = PathScope("hall__unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="hall_counter_number_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=999), name="hall_counter_number_range"
            ),
        ]

    def __str__(self) -> str:
        return _("%(no)s号窗口") % {"no": self.number}

    @property
    def codes(self) -> list[str]:
        return [c.strip() for c in (self.service_codes or "").split(",") if c.strip()]

    def clean(self) -> None:
        known = set(ServiceType.objects.values_list("code", flat=True))
        unknown = [c for c in self.codes if c not in known]
        if unknown:
            raise ValidationError(
                {"service_codes": _("未知的业务类型：%(codes)s") % {"codes": ", ".join(unknown)}}
            )
        if not 1 <= (self.number or 0) <= 999:
            raise ValidationError({"number": _("取值范围 %(lo)s～%(hi)s") % {"lo": 1, "hi": 999}})


class TicketSequence(models.Model):
    """The last number given per hall, day and letter (A001, A002… restart every day)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=1)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day", "prefix"], name="hall_sequence_unique")]


class Ticket(models.Model):
    """A queue number taken at the kiosk or the counter. ``rank_at`` is the moment it
    queues as (``issued_at`` less the lead its priority class earns, frozen at issue; a
    transferred customer keeps their place); ``selectors.queue_order`` is the one ordering.
    ``target_counter``: transferred to that counter only. ``version`` grows on every change."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("营业厅"))
    unit_path = models.CharField(max_length=255, db_index=True)
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("业务类型")
    )
    day = models.DateField(_("日期"))
    number = models.CharField(_("号码"), max_length=8)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("客户"),
    )
    priority = models.CharField(
        _("优先类别"), max_length=8, choices=PriorityClass.choices, default=PriorityClass.NORMAL
    )
    priority_reason = models.CharField(_("优先原因"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    issued_at = models.DateTimeField(_("取号时间"))
    rank_at = models.DateTimeField(_("排队时点"))
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    serving_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("窗口"),
    )
    target_counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("指定窗口"),
    )
    called_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("办理人")
    )
    recalls = models.PositiveSmallIntegerField(_("重复叫号次数"), default=0)
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="transferred_to"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("工单"),
    )
    version = models.PositiveIntegerField(default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "number"], name="hall_ticket_number_unique"),
        ]
        indexes = [
            models.Index(fields=["hall", "status", "rank_at"], name="hall_ticket_queue"),
            models.Index(fields=["hall", "day"], name="hall_ticket_day"),
            models.Index(fields=["counter", "status"], name="hall_ticket_counter"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def wait_seconds(self) -> float | None:
        if self.called_at is None:
            return None
        return (self.called_at - self.issued_at).total_seconds()


class TicketEvent(models.Model):
    """Every state change of a ticket, timed, with who and at which counter."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=TicketEventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    scope = PathScope("ticket__unit_path")
    objects = ScopedManager()

    class Meta:
        ordering = ["ticket_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"


class CounterRating(models.Model):
    """The customer's rating of the clerk after service (counter tablet): one per ticket."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    clerk = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("办理人")
    )
    counter = models.ForeignKey(Counter, null=True, on_delete=models.SET_NULL, related_name="+")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("意见"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("评价时间"))

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("窗口评价")
        verbose_name_plural = _("窗口评价")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="hall_rating_score_range")
        ]
        indexes = [models.Index(fields=["hall", "rated_at"], name="hall_rating_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.score}"


class HallSetting(NamedIntegerSetting):
    """Named integer settings of the hall queue: the wait commitment, the priority rules
    (how many minutes ahead each class queues; the longest any ticket waits before it goes
    first whatever its class — no normal ticket is starved), the board's refresh."""

    WAIT_COMMITMENT = "wait_commitment_minutes"
    VIP_LEAD = "vip_lead_minutes"
    CARE_LEAD = "care_lead_minutes"
    MAX_WAIT = "max_wait_minutes"
    BOARD_REFRESH = "board_refresh_seconds"
    RATING_WINDOW = "rating_window_minutes"
    SPEC: dict[str, tuple[int, int, int]] = {
        WAIT_COMMITMENT: (15, 1, 120),
        VIP_LEAD: (20, 0, 120),
        CARE_LEAD: (15, 0, 120),
        MAX_WAIT: (25, 5, 240),
        BOARD_REFRESH: (10, 5, 120),
        RATING_WINDOW: (30, 1, 240),
    }
    LABELS = {
        WAIT_COMMITMENT: _("等候时长承诺（分钟）"),
        VIP_LEAD: _("优先客户（VIP/高信用）提前排队分钟"),
        CARE_LEAD: _("老年人/残障人士提前排队分钟"),
        MAX_WAIT: _("等候超过此分钟数的号优先叫（防止普通号久等）"),
        BOARD_REFRESH: _("叫号屏刷新间隔（秒）"),
        RATING_WINDOW: _("办结后可评价的分钟数"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("营业厅排队参数")
        verbose_name_plural = _("营业厅排队参数")
        ordering = ["key"]


__all__ = [
    "Counter",
    "CounterRating",
    "Hall",
    "HallSetting",
    "PriorityClass",
    "ServiceType",
    "Ticket",
    "TicketEvent",
    "TicketEventKind",
    "TicketSequence",
    "TicketStatus",
]
