"""The work order (工单): one record per customer request, owned from first contact to archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcare.core.caching import ProcessCache
from gridcare.core.messages import render_stored
from gridcare.core.scoping import PathScope, ScopedManager
from gridcare.customers.choices import CustomerCategory
from gridcare.grid.choices import AreaClass

from .choices import (
    CLOSED_STATUSES,
    Action,
    ApplicationSubtype,
    Channel,
    ClockBasis,
    ClockKind,
    Dimension,
    FaultCause,
    NoticeKind,
    Priority,
    RequestType,
    Status,
)


class WorkOrder(models.Model):
    """A customer request from any channel, with its lifecycle, owner and time limits.

    ``unit`` is the unit responsible now (it moves on dispatch, transfer and return);
    ``accepted_unit``/``accepted_by`` are the first-contact owner (首问负责), fixed for life.
    ``unit_path``/``accepted_path`` copy the two units' organisation paths so scoping a
    million orders is an indexed prefix match without joins. ``version`` grows on every
    change: services refuse a stale ``expected_version`` with a conflict. ``due_at`` is
    the nearest running deadline among the order's clocks (None once nothing runs), kept
    by the services for sorting and the overdue filter.
    """

    order_no = models.CharField(_("工单编号"), max_length=64, unique=True)
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices)
    request_type = models.CharField(_("诉求类型"), max_length=24, choices=RequestType.choices)
    subtype = models.CharField(_("业务子类"), max_length=24, choices=ApplicationSubtype.choices, blank=True)
    dimension = models.CharField(_("分析维度"), max_length=32, choices=Dimension.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority.choices, default=Priority.NORMAL
    )
    description = models.TextField(_("诉求内容"))
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("客户"),
    )
    area = models.ForeignKey(
        "grid.TransformerArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("台区"),
    )
    feeder = models.ForeignKey(
        "grid.Feeder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("馈线"),
    )
    area_class = models.CharField(_("区域类别"), max_length=16, choices=AreaClass.choices, blank=True)

    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    dispatcher_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("派单单位"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_work_orders",
        verbose_name=_("处理人"),
    )
    accepted_unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="accepted_work_orders",
        verbose_name=_("受理单位"),
    )
    accepted_path = models.CharField(max_length=255, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_work_orders",
        verbose_name=_("首问负责人"),
    )
    master = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("主单"),
    )
    children_count = models.PositiveIntegerField(_("子单数"), default=0)
    # A green-channel customer's order (差异化服务: highest priority, the green-channel time
    # limits, their customer manager told), decided at intake from customer care's terms.
    green_channel = models.BooleanField(_("绿色通道"), default=False)

    version = models.PositiveIntegerField(_("版本"), default=1)
    due_at = models.DateTimeField(_("最近时限"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(_("暂停计时于"), null=True, blank=True)
    urge_count = models.PositiveIntegerField(_("催办次数"), default=0)

    # A fault repair's field progress, in the crew's own times (clocks stop on them).
    departed_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到达现场时间"), null=True, blank=True)
    # When the crew isolated the fault (故障隔离), given with the restoration: optional.
    isolated_at = models.DateTimeField(_("故障隔离时间"), null=True, blank=True)
    restored_at = models.DateTimeField(_("恢复送电时间"), null=True, blank=True)
    fault_cause = models.CharField(_("故障原因"), max_length=24, choices=FaultCause.choices, blank=True)

    reply = models.TextField(_("处理结果"), blank=True)
    return_reason = models.TextField(_("退单原因"), blank=True)
    cancel_reason = models.TextField(_("撤销原因"), blank=True)
    satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)

    created_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    replied_at = models.DateTimeField(_("回单时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    scope = PathScope("unit_path", "accepted_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="wo_status_due"),
            # Scoping is ``unit_path LIKE '/JS/NJ/%'``: PostgreSQL needs the pattern opclass
            # to use an index for it (other backends ignore ``opclasses``).
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="wo_unitpath_like"),
            models.Index(fields=["accepted_path"], opclasses=["varchar_pattern_ops"], name="wo_accpath_like"),
            models.Index(fields=["unit", "status"], name="wo_unit_status"),
            # A status within a scope (dispatch queue, "dispatched in my county"): equality on
            # status and the path prefix are both index conditions, instead of AND-ing the
            # status index with a prefix scan of a whole county's orders.
            models.Index(
                fields=["status", "unit_path"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                name="wo_status_unitpath",
            ),
            models.Index(
                fields=["status", "accepted_path"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                name="wo_status_accpath",
            ),
            models.Index(fields=["due_at"], name="wo_due"),
            models.Index(fields=["created_at"], name="wo_created"),
            models.Index(fields=["customer", "status"], name="wo_customer_status"),
            models.Index(fields=["area", "request_type", "status"], name="wo_area_type_status"),
            models.Index(fields=["feeder", "request_type", "status"], name="wo_feeder_type_status"),
            models.Index(fields=["accepted_by", "status"], name="wo_owner_status"),
            models.Index(fields=["handler", "status"], name="wo_handler_status"),
            models.Index(fields=["request_type", "created_at"], name="wo_type_created"),
            # Repeat detection looks earlier orders up by address (same dimension, recent).
            models.Index(fields=["address", "created_at"], name="wo_address_created"),
            # Callback reconcile: replied orders of the last days.
            models.Index(fields=["status", "replied_at"], name="wo_status_replied"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="wo_description_not_empty"),
            models.CheckConstraint(condition=Q(version__gte=1), name="wo_version_positive"),
            # Recorded with the restoration, never after it (a later visit may move the
            # arrival, so "not before arrival" is the service's check, not a constraint).
            models.CheckConstraint(
                condition=Q(isolated_at__isnull=True)
                | Q(restored_at__isnull=False, isolated_at__lte=models.F("restored_at")),
                name="wo_isolated_before_restored",
            ),
        ]

    def __str__(self) -> str:
        return self.order_no

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.due_at is not None and self.due_at < (now or timezone.now())

    def remaining_seconds(self, now=None) -> int | None:
        if self.due_at is None:
            return None
        return int((self.due_at - (now or timezone.now())).total_seconds())


class WorkOrderClock(models.Model):
    """One time limit of an order (arrival, restoration, reply, …), from the commitment catalog.

    ``basis``/``amount`` are kept so a restart (reopen, restoration after arrival) recomputes
    the same promise. Pausing records ``paused_since``; resuming adds the paused time to
    ``paused_seconds`` and pushes ``due_at`` later by the same amount.
    """

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("时限类型"), max_length=16, choices=ClockKind.choices)
    basis = models.CharField(_("计时方式"), max_length=16, choices=ClockBasis.choices)
    amount = models.PositiveIntegerField(_("时长"))
    after = models.CharField(_("起算于"), max_length=16, choices=ClockKind.choices, blank=True)
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("到期时间"))
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    paused_since = models.DateTimeField(_("暂停于"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停秒数"), default=0)

    class Meta:
        verbose_name = _("工单时限")
        verbose_name_plural = _("工单时限")
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="wo_clock_unique_kind")]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.kind}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.paused_since is None

    @property
    def met_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at

    @property
    def provisional(self) -> bool:
        """Counted over a year whose holidays are not entered yet (暂定; ``rules.deadline_provisional``)."""
        from .rules import deadline_provisional

        return deadline_provisional(self.basis, self.started_at, self.due_at)

    def remaining_seconds(self, now=None) -> int | None:
        if self.met_at is not None:
            return None
        return int((self.due_at - (now or timezone.now())).total_seconds())


class WorkOrderEvent(models.Model):
    """The order's timeline: every transition and note, with actor, time, from and to."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("工单轨迹")
        verbose_name_plural = _("工单轨迹")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="wo_event_order_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.from_status}->{self.to_status}"

    @property
    def text(self) -> str:
        """The entry in the reader's language: what the system says (``data["msg"]``, a
        code rendered now) followed by what a person wrote (``note``, as written)."""
        said = render_stored((self.data or {}).get("msg")) if isinstance(self.data, dict) else ""
        if said and self.note:
            return gettext("%(said)s：%(note)s") % {"said": said, "note": self.note}
        return said or self.note


class CommitmentRule(models.Model):
    """An entry of the commitment catalog (服务承诺时限): which clock an order gets, and how long.

    A rule matches an order when its type matches and each of subtype, area class and
    customer category is blank or equal; a green-channel rule only matches a green-channel
    order. Per clock kind the most specific match wins (subtype, then green channel, then
    area class, then customer category). Admin-editable; seeded with
    the published defaults of PRODUCT.md.
    """

    request_type = models.CharField(_("诉求类型"), max_length=24, choices=RequestType.choices)
    subtype = models.CharField(_("业务子类"), max_length=24, choices=ApplicationSubtype.choices, blank=True)
    area_class = models.CharField(_("区域类别"), max_length=16, choices=AreaClass.choices, blank=True)
    customer_category = models.CharField(
        _("用户类别"), max_length=24, choices=CustomerCategory.choices, blank=True
    )
    kind = models.CharField(_("时限类型"), max_length=16, choices=ClockKind.choices)
    basis = models.CharField(_("计时方式"), max_length=16, choices=ClockBasis.choices)
    amount = models.PositiveIntegerField(_("时长"))
    after = models.CharField(
        _("起算于"),
        max_length=16,
        choices=ClockKind.choices,
        blank=True,
        help_text=_("空白：受理时起算；否则在该时限完成时起算（如到达现场后恢复送电）"),
    )
    green_channel = models.BooleanField(
        _("绿色通道"),
        default=False,
        help_text=_("只适用于绿色通道客户（大客户、重要客户等，见差异化服务策略）的工单，优先于普通规则"),
    )
    active = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("服务承诺时限")
        verbose_name_plural = _("服务承诺时限")
        ordering = ["request_type", "kind", "subtype", "area_class", "customer_category"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "request_type",
                    "subtype",
                    "area_class",
                    "customer_category",
                    "green_channel",
                    "kind",
                ],
                name="commitment_rule_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_amount_positive"),
        ]

    def __str__(self) -> str:
        scope = "/".join(x for x in (self.subtype, self.area_class, self.customer_category) if x)
        return (
            f"{self.get_request_type_display()} {scope} {self.get_kind_display()} {self.amount} {self.basis}"
        )

    @property
    def specificity(self) -> tuple[bool, bool, bool, bool]:
        # A business subtype's own limit (a meter test: 5 working days) stays the most
        # specific; among the rest a green-channel rule wins for a green-channel order.
        return (bool(self.subtype), self.green_channel, bool(self.area_class), bool(self.customer_category))


class PolicySetting(models.Model):
    """A named integer setting of the work-order process (merge window, …), admin-editable."""

    MERGE_WINDOW_MINUTES = "merge_window_minutes"
    MERGE_BY_FEEDER = "merge_by_feeder"
    DEFAULTS = {MERGE_WINDOW_MINUTES: 120, MERGE_BY_FEEDER: 1}

    key = models.CharField(_("参数"), max_length=64, unique=True)
    value = models.IntegerField(_("值"))
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("工单参数")
        verbose_name_plural = _("工单参数")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    @classmethod
    def get(cls, key: str) -> int:
        values = _cache.get("policy", lambda: dict(cls.objects.values_list("key", "value")))
        value = values.get(key)
        return cls.DEFAULTS.get(key, 0) if value is None else value


class OrderNumberCounter(models.Model):
    """Daily sequence per unit for order numbers; incremented with a row-locking UPDATE."""

    day = models.DateField()
    scope = models.CharField(max_length=32)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "scope"], name="order_counter_unique")]


class IdempotencyKey(models.Model):
    """Remembers a client's ``Idempotency-Key`` so a retried create returns the same order."""

    key = models.CharField(max_length=128)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]


class CustomerNotice(models.Model):
    """A message owed to a customer about their order (e.g. each child of a merged master).

    Recorded here; the notification app (issue 4) delivers them over SMS/WeChat.
    """

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notices")
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=NoticeKind.choices)
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("客户通知")
        verbose_name_plural = _("客户通知")
        ordering = ["-created_at", "-id"]


# ---------------------------------------------------------------- per-process caches
# The commitment catalog and the policy settings are read on every create but change
# rarely (admin edits): each process keeps them for a short while and drops them when a
# row is saved or deleted here. Another process sees an edit within ``CACHE_SECONDS``.

CACHE_SECONDS = 30.0
_cache = ProcessCache("workorders", seconds=CACHE_SECONDS).follow(CommitmentRule, PolicySetting)


def active_commitment_rules() -> list[CommitmentRule]:
    """Every active rule, in the model's ordering (cached per process)."""
    return _cache.get("rules", lambda: list(CommitmentRule.objects.filter(active=True)))


def workorder_cache_clear(**_kwargs) -> None:
    _cache.clear()


def photo_path(photo: WorkOrderPhoto, filename: str) -> str:
    return f"workorders/photos/{photo.order_id}/{photo.token}.{photo.extension}"


class WorkOrderPhoto(models.Model):
    """A photo a crew took on site (the fault, the repair): stored as a file, served only
    to people who may see the order. Checked on upload (type by content, size)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    scope = PathScope("order__unit_path", "order__accepted_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.token}"
