"""Customer care: the billing system's facts about each customer (monthly bills, conduct
events) and the credit rating (信用等级) GridCare derives from them.

GridCare is not the billing system: bills and conduct events are imported as the billing
system knows them (``importers``); the rating is recomputed from them (``services``) by the
rules in ``rating`` with the admin-editable numbers in ``CareSetting``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.caching import ProcessCache
from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import ScopedManager, StationScope

from .choices import ConductKind, Grade, QueuePriority, RatingCause, Segment, TreatmentTarget, ValueTier


class Bill(models.Model):
    """One month's electricity bill of a customer as the billing system issued it, and how
    it was paid (``paid_at`` empty while unpaid). One row per customer and period
    (``YYYY-MM``): a re-import updates it in place.

    Twelve million rows a year for a million customers: unlike other domain rows a bill
    keeps no created/updated stamps (a third of each row's bytes and of the import's write
    time); each import is an audit event with its time and counts."""

    # No database constraint: the import checks every customer number, and a month's million
    # bills must load at the customer import's speed (``Customer.station`` likewise). The
    # unique (customer, period) index serves every lookup by customer.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="bills",
        verbose_name=_("客户"),
        db_index=False,
        db_constraint=False,
    )
    period = models.CharField(_("账期"), max_length=7)
    kwh = models.DecimalField(_("电量(kWh)"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("电费(元)"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("缴费截止日"))
    paid_at = models.DateField(_("缴费日期"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("实缴金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("电费账单")
        verbose_name_plural = _("电费账单")
        ordering = ["customer_id", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "period"], name="bill_customer_period_unique"),
            models.CheckConstraint(
                condition=Q(kwh__gte=0)
                & Q(amount__gte=0)
                & (Q(paid_amount__isnull=True) | Q(paid_amount__gte=0)),
                name="bill_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period}"


class ConductEvent(BaseModel):
    """Something a customer did that weighs on their credit (窃电, 违约用电, a bounced payment,
    a broken payment plan, a disconnection for arrears), as the billing system recorded it.
    One row per customer, date and kind."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="conduct_events",
        verbose_name=_("客户"),
        db_index=False,  # the unique (customer, date, kind) index leads with it
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=24, choices=ConductKind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("用电行为记录")
        verbose_name_plural = _("用电行为记录")
        ordering = ["customer_id", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "date", "kind"], name="conduct_customer_date_kind_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.date} {self.kind}"


class CreditRating(models.Model):
    """A customer's current credit grade and why (``reasons``: stored messages, each a code
    and parameters rendered in the reader's language). ``review_on`` is the next day the
    grade may change by itself (a demerit expires, a veto ends, a bill falls due): the
    nightly job recomputes the ratings due then, and those computed under other rules
    (``rules_stamp``)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="credit_rating", verbose_name=_("客户")
    )
    grade = models.CharField(_("信用等级"), max_length=1, choices=Grade.choices)
    points = models.IntegerField(_("有效扣分"), default=0)
    reasons = models.JSONField(_("评级依据"), default=list, blank=True)
    since = models.DateField(_("评定日期"))
    computed_at = models.DateTimeField(_("计算时间"))
    review_on = models.DateField(_("下次复核日"), null=True, blank=True, db_index=True)
    rules_stamp = models.CharField(max_length=16, blank=True)

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用等级")
        verbose_name_plural = _("信用等级")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.grade}"


class CreditRatingChange(models.Model):
    """History: one row each time a customer's grade changed (the first rating included),
    with the points and reasons it was given for."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="credit_changes",
        verbose_name=_("客户"),
        db_index=False,  # the (customer, at) index leads with it
    )
    at = models.DateTimeField(_("时间"))
    grade_from = models.CharField(_("原等级"), max_length=1, blank=True, choices=Grade.choices)
    grade = models.CharField(_("新等级"), max_length=1, choices=Grade.choices)
    points = models.IntegerField(_("有效扣分"), default=0)
    reasons = models.JSONField(_("评级依据"), default=list, blank=True)
    cause = models.CharField(_("重算原因"), max_length=16, choices=RatingCause.choices)

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用等级变更")
        verbose_name_plural = _("信用等级变更")
        ordering = ["customer_id", "-at", "-id"]
        indexes = [models.Index(fields=["customer", "at"], name="credit_change_customer_at")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.grade_from}→{self.grade}"


class CareSetting(NamedIntegerSetting):
    """A named integer of the credit rating (admin-editable on the settings pages, seeded with
    the defaults below): demerit points per fact, how long they count, the grade thresholds
    and the vetoes. The label of each key is translated at display time; bounds are checked
    on save."""

    POINTS_LATE = "points_late_payment"
    POINTS_UNPAID = "points_unpaid_bill"
    POINTS_THEFT = "points_theft"
    POINTS_VIOLATION = "points_violation"
    POINTS_BOUNCED = "points_bounced_payment"
    POINTS_PAY_PLAN = "points_pay_plan_broken"
    POINTS_CUTOFF = "points_arrears_cutoff"
    BILL_MONTHS = "bill_demerit_months"
    CONDUCT_MONTHS = "conduct_demerit_months"
    GRADE_B_POINTS = "grade_b_points"
    GRADE_C_POINTS = "grade_c_points"
    THEFT_MONTHS = "theft_veto_months"
    VIOLATION_MONTHS = "violation_veto_months"
    UNPAID_COUNT = "unpaid_veto_count"
    UNPAID_WINDOW = "unpaid_veto_window_months"
    NEW_MIN_BILLS = "new_customer_min_bills"
    # key -> (default, minimum, maximum)
    SPEC: dict[str, tuple[int, int, int]] = {
        POINTS_LATE: (1, 0, 100),
        POINTS_UNPAID: (3, 0, 100),
        POINTS_THEFT: (12, 0, 100),
        POINTS_VIOLATION: (6, 0, 100),
        POINTS_BOUNCED: (2, 0, 100),
        POINTS_PAY_PLAN: (3, 0, 100),
        POINTS_CUTOFF: (3, 0, 100),
        BILL_MONTHS: (12, 1, 120),
        CONDUCT_MONTHS: (24, 1, 120),
        GRADE_B_POINTS: (3, 1, 1000),
        GRADE_C_POINTS: (8, 1, 1000),
        THEFT_MONTHS: (24, 0, 120),
        VIOLATION_MONTHS: (12, 0, 120),
        UNPAID_COUNT: (3, 0, 12),
        UNPAID_WINDOW: (12, 1, 60),
        NEW_MIN_BILLS: (1, 0, 24),
    }
    LABELS = {
        POINTS_LATE: _("扣分：逾期缴费（每月）"),
        POINTS_UNPAID: _("扣分：欠费未缴（每月）"),
        POINTS_THEFT: _("扣分：窃电"),
        POINTS_VIOLATION: _("扣分：违约用电"),
        POINTS_BOUNCED: _("扣分：退票"),
        POINTS_PAY_PLAN: _("扣分：违反缴费协议"),
        POINTS_CUTOFF: _("扣分：欠费停电"),
        BILL_MONTHS: _("缴费扣分有效期（月，自缴清之日起）"),
        CONDUCT_MONTHS: _("用电行为扣分有效期（月）"),
        GRADE_B_POINTS: _("有效扣分达到此值评为B级"),
        GRADE_C_POINTS: _("有效扣分达到此值评为C级"),
        THEFT_MONTHS: _("窃电否决：评为C级且不得升级的月数（0 不启用）"),
        VIOLATION_MONTHS: _("违约用电否决：最高B级的月数（0 不启用）"),
        UNPAID_COUNT: _("欠费否决：统计期内欠费月数达到此值评为C级（0 不启用）"),
        UNPAID_WINDOW: _("欠费否决：统计月数"),
        NEW_MIN_BILLS: _("新客户：账单少于此月数时最高B级（0 不启用）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("信用评级参数")
        verbose_name_plural = _("信用评级参数")
        ordering = ["key"]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.value is None:
            return
        if self.key in (self.GRADE_B_POINTS, self.GRADE_C_POINTS):
            b = self.value if self.key == self.GRADE_B_POINTS else self.get(self.GRADE_B_POINTS)
            c = self.value if self.key == self.GRADE_C_POINTS else self.get(self.GRADE_C_POINTS)
            if b >= c:
                raise ValidationError({"value": _("C级扣分线须高于B级扣分线")})


class SegmentSetting(NamedIntegerSetting):
    """The numbers of segmentation and the value score (admin-editable, seeded)."""

    KEY_CAPACITY_KVA = "key_capacity_kva"
    W_CONSUMPTION = "weight_consumption"
    W_REVENUE = "weight_revenue"
    W_PAYMENT = "weight_payment"
    W_SERVICE = "weight_service"
    TIER_HIGH = "tier_high_score"
    TIER_MEDIUM = "tier_medium_score"
    MONTHS = "value_months"
    SPEC: dict[str, tuple[int, int, int]] = {
        KEY_CAPACITY_KVA: (315, 1, 100_000),
        W_CONSUMPTION: (30, 0, 100),
        W_REVENUE: (30, 0, 100),
        W_PAYMENT: (25, 0, 100),
        W_SERVICE: (15, 0, 100),
        TIER_HIGH: (70, 1, 100),
        TIER_MEDIUM: (40, 0, 99),
        MONTHS: (12, 1, 36),
    }
    LABELS = {
        KEY_CAPACITY_KVA: _("大客户：合同容量达到（kVA，高压客户一律计入）"),
        W_CONSUMPTION: _("价值权重：用电量"),
        W_REVENUE: _("价值权重：电费贡献"),
        W_PAYMENT: _("价值权重：缴费表现"),
        W_SERVICE: _("价值权重：服务负荷（诉求越少越高）"),
        TIER_HIGH: _("高价值：价值分达到"),
        TIER_MEDIUM: _("中价值：价值分达到"),
        MONTHS: _("价值统计月数"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("客户细分与价值参数")
        verbose_name_plural = _("客户细分与价值参数")
        ordering = ["key"]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.value is None:
            return
        if self.key in (self.TIER_HIGH, self.TIER_MEDIUM):
            high = self.value if self.key == self.TIER_HIGH else self.get(self.TIER_HIGH)
            medium = self.value if self.key == self.TIER_MEDIUM else self.get(self.TIER_MEDIUM)
            if medium >= high:
                raise ValidationError({"value": _("高价值分数线须高于中价值分数线")})


class CustomerProfile(models.Model):
    """A customer's segments and value, recomputed from master data, bills and orders
    (``services.customer_profiles_recompute``: nightly and after a billing import).
    ``features``: what the value score was computed from and each feature's score 1–5, so
    the page can explain it."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="care_profile", verbose_name=_("客户")
    )
    segment = models.CharField(_("客户细分"), max_length=16, choices=Segment.choices)
    segments = models.JSONField(_("所属细分"), default=list, blank=True)
    value_score = models.PositiveSmallIntegerField(_("价值分"), default=0)
    value_tier = models.CharField(_("价值等级"), max_length=8, choices=ValueTier.choices)
    features = models.JSONField(_("价值依据"), default=dict, blank=True)
    previous_segment = models.CharField(_("原客户细分"), max_length=16, blank=True, choices=Segment.choices)
    previous_tier = models.CharField(_("原价值等级"), max_length=8, blank=True, choices=ValueTier.choices)
    computed_at = models.DateTimeField(_("计算时间"))

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("客户细分与价值")
        verbose_name_plural = _("客户细分与价值")
        indexes = [models.Index(fields=["segment", "value_tier"], name="care_profile_segment_tier")]
        constraints = [
            models.CheckConstraint(condition=Q(value_score__lte=100), name="care_profile_score_bounded")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.segment} {self.value_score}"


class SegmentSnapshot(models.Model):
    """Segment sizes per month and station (taken at each recompute; the month's last one
    stands), and how many customers moved in from another segment or tier that month."""

    month = models.CharField(_("月份"), max_length=7)
    station = models.ForeignKey(
        "org.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("供电所")
    )
    segment = models.CharField(_("客户细分"), max_length=16, choices=Segment.choices)
    value_tier = models.CharField(_("价值等级"), max_length=8, choices=ValueTier.choices)
    customers = models.PositiveIntegerField(_("客户数"), default=0)
    moved_in = models.PositiveIntegerField(_("本月迁入"), default=0)

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("客户细分月度快照")
        verbose_name_plural = _("客户细分月度快照")
        ordering = ["month", "station_id", "segment", "value_tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "station", "segment", "value_tier"], name="segment_snapshot_unique"
            )
        ]


class Treatment(models.Model):
    """What a segment or credit grade gets (差异化服务策略), admin-editable, seeded with the
    studies' examples. A customer gets the union of the treatments of their segments and
    grade: the green channel if any gives it, the best queue priority, and so on."""

    target = models.CharField(_("适用对象"), max_length=16, choices=TreatmentTarget.choices, unique=True)
    green_channel = models.BooleanField(
        _("绿色通道"),
        default=False,
        help_text=_("工单取最高优先级、适用服务承诺时限中的绿色通道时限，并通知其客户经理"),
    )
    one_to_one = models.BooleanField(_("一对一专属服务"), default=False)
    queue_priority = models.PositiveSmallIntegerField(
        _("来电排队优先级"), choices=QueuePriority.choices, default=QueuePriority.NORMAL
    )
    hall_priority = models.BooleanField(_("营业厅优先办理"), default=False)
    narrow_scope = models.BooleanField(
        _("限制服务范围"), default=False, help_text=_("受理时提示：暂不办理增容、新装等需信用担保的业务")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("差异化服务策略")
        verbose_name_plural = _("差异化服务策略")
        ordering = ["target"]

    def __str__(self) -> str:
        return self.get_target_display()


# ---------------------------------------------------------------- per-process caches
# The segment settings and the treatments are read at every intake (is this a
# green-channel customer?) but change rarely (admin edits): each process keeps them for a
# short while and drops them when a row is saved or deleted here; another process sees an
# edit within ``CACHE_SECONDS`` (as the commitment catalogue in workorders).

CACHE_SECONDS = 30.0
_cache = ProcessCache("care", seconds=CACHE_SECONDS).follow(SegmentSetting, Treatment)


def segment_setting_values() -> dict[str, int]:
    return _cache.get("segment_settings", SegmentSetting.all_values)


def active_treatments() -> list[Treatment]:
    return _cache.get("treatments", lambda: list(Treatment.objects.filter(active=True)))


def care_cache_clear(**_kwargs) -> None:
    _cache.clear()
