"""Organisation: the unit tree (company → city → county → station → team) and staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel
from gridcare.core.scoping import PathScope, ScopedManager

from .choices import Role, UnitKind


class OrgUnit(BaseModel):
    """A unit of the supply company.

    ``path`` is the materialised chain of unit codes (``/JS/NJ/NJ01/``): a user sees the
    data of their own unit and every unit whose path starts with it, which turns every
    scoping check into one indexed prefix comparison.
    """

    code = models.CharField(_("单位编码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("层级"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    area_class = models.CharField(
        _("区域类别"), max_length=16, blank=True, help_text=_("供电所的城区/农村/偏远类别")
    )

    scope = PathScope("path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """A new unit's path follows its parent. Moving an existing unit (another parent
        or code) rewrites every descendant and every copied path: ``org_unit_move`` only."""
        path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        if self.pk and self.path and path != self.path:
            raise ValueError("an existing unit moves through gridcare.org.services.org_unit_move")
        self.path = path
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestors(self) -> list[OrgUnit]:
        codes = [c for c in self.path.strip("/").split("/") if c]
        units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        return [units[c] for c in codes if c in units]


class StaffProfile(BaseModel):
    """Links a login to its unit and role; the unit decides what the user can see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="staff", verbose_name=_("所属单位")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    display_name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    # A system's account (a partner's, the customer portal's) that takes orders coming in
    # from outside: it acts, but it is nobody — never in staff pickers, lists, rosters,
    # notifications or the hotline teams inspected.
    service_account = models.BooleanField(_("系统服务账号"), default=False)

    scope = PathScope("unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}，{self.unit.name}）"
