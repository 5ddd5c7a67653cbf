"""Proactive care (主动服务): what the utility knows about each customer's meters (imported
meter facts), the care lists derived from them by admin-editable rules (meters due for
rotation, old meter boxes), campaigns that turn a list into SMS notices or field tasks,
and potential-demand records (潜在用电需求) that feed the planning export."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel, NamedIntegerSetting
from gridcare.core.scoping import PathScope, ScopedManager, StationScope

from .choices import (
    BoxCondition,
    CampaignKind,
    CampaignStatus,
    CareList,
    DemandSource,
    DemandStatus,
    TargetStatus,
)

MAX_DEMAND_KW = 1_000_000  # 1 GW: more than any one new load


class MeterFact(BaseModel):
    """One electricity meter of a customer as the metering system knows it: when it was
    installed and the state of its box. One row per meter number; a re-import updates it
    in place (``importers``)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="meter_facts", verbose_name=_("客户")
    )
    meter_no = models.CharField(_("表号"), max_length=32)
    installed_on = models.DateField(_("装表日期"))
    box_condition = models.CharField(_("表箱状况"), max_length=16, choices=BoxCondition.choices)

    scope = StationScope("customer__station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("电能表档案")
        verbose_name_plural = _("电能表档案")
        ordering = ["customer_id", "meter_no"]
        constraints = [models.UniqueConstraint(fields=["meter_no"], name="meter_fact_meter_no_unique")]
        indexes = [models.Index(fields=["installed_on"], name="meter_fact_installed")]

    def __str__(self) -> str:
        return self.meter_no


class ProactiveSetting(NamedIntegerSetting):
    """A named integer of the care-list rules (settings pages, seeded defaults): how old a
    meter is when it is due for rotation, and which box conditions count as old boxes."""

    ROTATION_YEARS = "rotation_years"
    OLD_BOX_WORN = "old_box_worn"
    OLD_BOX_DAMAGED = "old_box_damaged"
    # key -> (default, minimum, maximum)
    SPEC: dict[str, tuple[int, int, int]] = {
        ROTATION_YEARS: (8, 1, 30),
        OLD_BOX_WORN: (1, 0, 1),
        OLD_BOX_DAMAGED: (1, 0, 1),
    }
    LABELS = {
        ROTATION_YEARS: _("电能表装表满多少年列入轮换清单"),
        OLD_BOX_WORN: _("表箱“老化”列为老旧表箱（1 是，0 否）"),
        OLD_BOX_DAMAGED: _("表箱“破损”列为老旧表箱（1 是，0 否）"),
    }

    key = models.CharField(_("参数"), max_length=64, unique=True, choices=list(LABELS.items()))
    value = models.IntegerField(_("值"))

    class Meta:
        verbose_name = _("主动服务参数")
        verbose_name_plural = _("主动服务参数")
        ordering = ["key"]


class Campaign(BaseModel):
    """A proactive care campaign (主动服务活动): a care list, filtered by station and
    transformer area, frozen into its customers (``CampaignTarget``) when it is created,
    then sent as SMS notices or worked as field tasks. ``unit_path`` is the station's path
    (or the creator's unit's when the list spans stations) and decides who sees it."""

    name = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("方式"), max_length=16, choices=CampaignKind.choices)
    care_list = models.CharField(_("清单"), max_length=16, choices=CareList.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    station = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("供电所"),
    )
    area = models.ForeignKey(
        "grid.TransformerArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("台区"),
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    message = models.CharField(_("短信内容"), max_length=300, blank=True)
    # The rules the list was frozen under (rotation years, old box conditions).
    rules = models.JSONField(_("清单规则"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("客户数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    launched_at = models.DateTimeField(_("发起时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = PathScope("unit_path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("主动服务活动")
        verbose_name_plural = _("主动服务活动")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CampaignTarget(models.Model):
    """One customer of a campaign, with the meter that put them on the list (as it was when
    the list was frozen) and where they stand: an SMS queued (or no valid phone), or a field
    task done or not possible, with a note."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    station_id = models.BigIntegerField()
    meter_no = models.CharField(_("表号"), max_length=32)
    installed_on = models.DateField(_("装表日期"))
    box_condition = models.CharField(_("表箱状况"), max_length=16, choices=BoxCondition.choices)
    meters = models.PositiveSmallIntegerField(_("列入清单的表数"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=TargetStatus.choices, default=TargetStatus.PENDING
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    done_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("活动客户")
        verbose_name_plural = _("活动客户")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_target_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="campaign_target_status")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id}"


class PotentialDemand(BaseModel):
    """A potential electricity demand (潜在用电需求) heard of before anyone applies: a new
    estate, a factory, a charging park — where, how much and when, and who said so. Planners
    read them beside the hotspots in the planning export."""

    source = models.CharField(_("信息来源"), max_length=16, choices=DemandSource.choices)
    source_detail = models.CharField(_("来源单位/联系人"), max_length=100, blank=True)
    title = models.CharField(_("项目名称"), max_length=100)
    station = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("供电所")
    )
    area = models.ForeignKey(
        "grid.TransformerArea",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("附近台区"),
    )
    location = models.CharField(_("位置"), max_length=200)
    expected_kw = models.DecimalField(_("预计负荷(kW)"), max_digits=10, decimal_places=1)
    expected_date = models.DateField(_("预计用电日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=DemandStatus.choices, default=DemandStatus.EXPECTED
    )
    note = models.TextField(_("备注"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("潜在用电需求")
        verbose_name_plural = _("潜在用电需求")
        ordering = ["expected_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_kw__gt=0) & Q(expected_kw__lte=MAX_DEMAND_KW),
                name="potential_demand_kw_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.title
