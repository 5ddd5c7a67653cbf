"""Kinds and states of inspections (明查暗访) and the one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    HALL = "hall", _("营业厅")
    STATION = "station", _("供电所")
    HOTLINE = "hotline", _("95598话务班组")


class InspectionKind(models.TextChoices):
    OPEN = "open", _("明查")
    MYSTERY = "mystery", _("暗访")
    TEST_CALL = "test_call", _("测试电话")


class InspectionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已登记")
    PUBLISHED = "published", _("已公布")


# THE transition table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    InspectionStatus.SUBMITTED: frozenset({InspectionStatus.PUBLISHED}),
    InspectionStatus.PUBLISHED: frozenset(),
}

# Which kinds of inspection a site of each kind receives (a test call goes to the hotline).
KINDS_FOR_SITE: dict[str, tuple[str, ...]] = {
    SiteKind.HALL: (InspectionKind.OPEN, InspectionKind.MYSTERY),
    SiteKind.STATION: (InspectionKind.OPEN, InspectionKind.MYSTERY),
    SiteKind.HOTLINE: (InspectionKind.OPEN, InspectionKind.TEST_CALL),
}
