from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    COMPANY = "company", _("省公司")
    CITY = "city", _("市公司")
    COUNTY = "county", _("县公司")
    STATION = "station", _("供电所")
    TEAM = "team", _("班组")


UNIT_KIND_ORDER = [UnitKind.COMPANY, UnitKind.CITY, UnitKind.COUNTY, UnitKind.STATION, UnitKind.TEAM]


class Role(models.TextChoices):
    HOTLINE_AGENT = "hotline_agent", _("95598话务员")
    COUNTER_CLERK = "counter_clerk", _("营业厅窗口")
    DISPATCHER = "dispatcher", _("调度派单员")
    REPAIR_CREW = "repair_crew", _("抢修班组成员")
    CUSTOMER_MANAGER = "customer_manager", _("客户经理")
    SUPERVISOR = "supervisor", _("服务督办")
    QUALITY_INSPECTOR = "quality_inspector", _("质检员")
    PLANNER = "planner", _("计划运检")
    MANAGER = "manager", _("管理人员")
    ADMIN = "admin", _("系统管理员")
