"""Customers (用电客户) and their place on the grid (户变关系)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel
from gridcare.core.scoping import ScopedManager, StationScope

from .choices import CustomerCategory


class Customer(BaseModel):
    """A customer account (户号) hanging on one transformer area.

    ``station`` repeats the transformer area's supply station so scoping a million
    customers is one indexed filter; services keep the two consistent. ``phone`` and
    ``id_number`` are personal data: masked in lists and exports, revealed only through
    an audited action.
    """

    customer_no = models.CharField(_("户号"), max_length=20)
    name = models.CharField(_("户名"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    phone2 = models.CharField(_("备用电话"), max_length=20, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)
    address = models.CharField(_("用电地址"), max_length=200)
    area = models.ForeignKey(
        "grid.TransformerArea", on_delete=models.PROTECT, related_name="customers", verbose_name=_("台区")
    )
    # A copy of area.station kept by services (no database constraint: the area's own
    # foreign key already guarantees it, and a million-row import checks it once per row).
    station = models.ForeignKey(
        "org.OrgUnit",
        db_constraint=False,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("供电所"),
    )
    category = models.CharField(_("用户类别"), max_length=24, choices=CustomerCategory.choices)
    tariff = models.CharField(_("电价类别"), max_length=50)
    voltage_kv = models.DecimalField(_("电压等级(kV)"), max_digits=6, decimal_places=2)
    capacity_kva = models.DecimalField(_("合同容量(kVA)"), max_digits=10, decimal_places=1)
    important = models.BooleanField(_("重要客户"), default=False)
    sensitive = models.BooleanField(_("敏感客户"), default=False)
    # The responsible customer manager set by hand (large and important customers only;
    # ``services.customer_manager_set``); empty: the grid's manager.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_customers",
        verbose_name=_("专属客户经理"),
        db_index=False,  # few customers have one: a partial index below
    )

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["customer_no"]
        constraints = [
            # A plain unique index (unique=True would add a second, pattern-ops index on PostgreSQL).
            models.UniqueConstraint(fields=["customer_no"], name="customer_no_unique"),
            models.CheckConstraint(condition=Q(capacity_kva__gte=0), name="customer_capacity_non_negative"),
            models.CheckConstraint(condition=Q(voltage_kv__gt=0), name="customer_voltage_positive"),
        ]
        indexes = [
            # A plain index (db_index=True would add a pattern-ops twin on PostgreSQL that no
            # query uses and every import has to maintain).
            models.Index(fields=["phone"], name="customer_phone_idx"),
            # Few customers have a second phone: index only those rows.
            models.Index(fields=["phone2"], name="customer_phone2_idx", condition=~Q(phone2="")),
            models.Index(fields=["manager"], name="customer_manager_idx", condition=Q(manager__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.customer_no}）"


class ServiceGrid(BaseModel):
    """A customer manager's patch (服务网格, 网格化客户经理制): a set of transformer areas of
    one supply station (``ServiceGridArea``), or the whole station (``whole_station``: every
    area of the station that no other grid holds). Each grid has a manager — a full-time
    customer manager or a member of staff who does it part-time — and a deputy who takes
    over while the manager's account is inactive. Every customer has exactly one
    responsible manager (``selectors.responsible_manager``): the one set on the customer
    (large customers only), else their area's grid's, else their station's whole-station
    grid's."""

    code = models.CharField(_("网格编码"), max_length=32)
    name = models.CharField(_("网格名称"), max_length=100)
    station = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="service_grids", verbose_name=_("供电所")
    )
    whole_station = models.BooleanField(
        _("覆盖全所"), default=False, help_text=_("覆盖本所未划入其他网格的全部台区")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_grids",
        verbose_name=_("客户经理"),
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy_grids",
        verbose_name=_("B角（代理客户经理）"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务网格")
        verbose_name_plural = _("服务网格")
        ordering = ["station_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="service_grid_code_unique"),
            # One whole-station grid per station at most.
            models.UniqueConstraint(
                fields=["station"], condition=Q(whole_station=True), name="service_grid_one_whole_station"
            ),
            models.CheckConstraint(
                condition=Q(deputy__isnull=True) | Q(manager__isnull=True) | ~Q(deputy=models.F("manager")),
                name="service_grid_deputy_not_manager",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ServiceGridArea(models.Model):
    """A transformer area's grid: at most one per area."""

    grid = models.ForeignKey(ServiceGrid, on_delete=models.CASCADE, related_name="memberships")
    area = models.OneToOneField(
        "grid.TransformerArea", on_delete=models.CASCADE, related_name="service_grid", verbose_name=_("台区")
    )

    scope = StationScope("grid__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("网格台区")
        verbose_name_plural = _("网格台区")
        indexes = [models.Index(fields=["grid"], name="service_grid_area_grid")]

    def __str__(self) -> str:
        return f"{self.grid_id}:{self.area_id}"
