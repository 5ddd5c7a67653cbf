"""Choices of the workforce domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("95598 热线")
    WEB = "web", _("网站")
    APP = "app", _("网上国网 App")
    WECHAT = "wechat", _("微信")
    COUNTER = "counter", _("营业厅")
    FIELD = "field", _("现场")
    REGULATOR = "regulator", _("12398 监管")
    GOV_HOTLINE = "gov_hotline", _("12345 政务热线")
    SUPERVISOR = "supervisor", _("社会监督员")


class VolumeSource(models.TextChoices):
    IMPORTED = "imported", _("导入")
    ORDERS = "orders", _("工单统计")
