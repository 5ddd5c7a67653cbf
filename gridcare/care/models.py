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

from gridcare.core.models import BaseModel
from gridcare.core.scoping import ScopedManager, StationScope

from .choices import ConductKind, Grade, RatingCause


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


class CareSetting(models.Model):
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

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        spec = self.SPEC.get(self.key)
        if spec is None or self.value is None:
            return
        if not spec[1] <= self.value <= spec[2]:
            raise ValidationError({"value": _("取值范围 %(lo)s～%(hi)s") % {"lo": spec[1], "hi": spec[2]}})
        if self.key in (self.GRADE_B_POINTS, self.GRADE_C_POINTS):
            b = self.value if self.key == self.GRADE_B_POINTS else self.get(self.GRADE_B_POINTS)
            c = self.value if self.key == self.GRADE_C_POINTS else self.get(self.GRADE_C_POINTS)
            if b >= c:
                raise ValidationError({"value": _("C级扣分线须高于B级扣分线")})

    @classmethod
    def get(cls, key: str) -> int:
        value = cls.objects.filter(key=key).values_list("value", flat=True).first()
        return cls.SPEC[key][0] if value is None else value

    @classmethod
    def all_values(cls) -> dict[str, int]:
        """Every setting (stored value, else its default), in one query."""
        stored = dict(cls.objects.values_list("key", "value"))
        return {key: stored.get(key, spec[0]) for key, spec in cls.SPEC.items()}
