"""Grid assets: substation → feeder (10 kV line) → transformer area (台区)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel
from gridcare.core.scoping import ScopedManager, StationScope, ThroughScope

from .choices import AreaClass


class Substation(BaseModel):
    """A substation (变电站) feeding 10 kV lines. Identified by its name in imports."""

    name = models.CharField(_("变电站名称"), max_length=100, unique=True)
    voltage_kv = models.DecimalField(_("电压等级(kV)"), max_digits=6, decimal_places=1, default=110)

    scope = ThroughScope("grid.Feeder", "substation")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("变电站")
        verbose_name_plural = _("变电站")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Feeder(BaseModel):
    """A 10 kV feeder (馈线/线路) leaving a substation and serving transformer areas."""

    code = models.CharField(_("线路编码"), max_length=32, unique=True)
    name = models.CharField(_("线路名称"), max_length=100)
    substation = models.ForeignKey(
        Substation, on_delete=models.PROTECT, related_name="feeders", verbose_name=_("变电站")
    )

    scope = ThroughScope("grid.TransformerArea", "feeder")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("馈线")
        verbose_name_plural = _("馈线")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class TransformerArea(BaseModel):
    """A transformer area (台区): the low-voltage network behind one distribution transformer.

    It belongs to one supply station (the unit responsible for it, which decides data
    scoping) and hangs on one feeder. ``area_class`` chooses the repair commitments.
    """

    code = models.CharField(_("台区编码"), max_length=32, unique=True)
    name = models.CharField(_("台区名称"), max_length=100)
    feeder = models.ForeignKey(Feeder, on_delete=models.PROTECT, related_name="areas", verbose_name=_("馈线"))
    station = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="transformer_areas", verbose_name=_("供电所")
    )
    capacity_kva = models.DecimalField(_("容量(kVA)"), max_digits=10, decimal_places=1)
    area_class = models.CharField(_("区域类别"), max_length=16, choices=AreaClass.choices)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    scope = StationScope("station_id")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("台区")
        verbose_name_plural = _("台区")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_kva__gt=0), name="area_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
