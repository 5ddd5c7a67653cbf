"""Kinds of the three-party evaluation (三方评价): what an expert assesses, the levels of the
scorecard, the three parts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    HALL = "hall", _("营业厅")
    UNIT = "unit", _("单位")


class Level(models.TextChoices):
    HALL = "hall", _("营业厅")
    UNIT = "unit", _("单位")
    STAFF = "staff", _("员工")


class Part(models.TextChoices):
    CUSTOMER = "customer", _("客户评价")
    EXPERT = "expert", _("专家评价")
    INTERNAL = "internal", _("内部评价")


# The measures of the scorecard, in words (the row's missing ones are named on the page).
MEASURE_LABELS = {
    "ratings": _("窗口评价"),
    "callbacks": _("回访满意率"),
    "surveys": _("满意度调查"),
    "expert": _("专家评价"),
    "wait": _("等候15分钟内占比"),
    "stages": _("业扩环节按时率"),
    "orders_on_time": _("工单时限达标率"),
    "rework": _("无退单无重办占比"),
}
