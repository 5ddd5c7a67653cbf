"""Codes of the analytics domain.

The request types and dimensions are the work order's codes (TAXONOMY_RULES.md); they
are re-exported here so the classifier has one source of truth.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcare.workorders.choices import Dimension, RequestType

REQUEST_TYPES: tuple[str, ...] = tuple(RequestType.values)
DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)

__all__ = [
    "DIMENSIONS",
    "REQUEST_TYPES",
    "UNFINISHED_JOB_STATUSES",
    "Dimension",
    "ReportJobStatus",
    "ReportJobStep",
    "RequestType",
]


# ---------------------------------------------------------------- on-demand report jobs
class ReportJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    BUILDING = "building", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


UNFINISHED_JOB_STATUSES = (ReportJobStatus.QUEUED, ReportJobStatus.BUILDING)


class ReportJobStep(models.TextChoices):
    """What a building job is doing, in the order it does it (the page's progress bar)."""

    FIGURES = "figures", _("计算指标")
    XLSX = "xlsx", _("生成 Excel")
    PDF = "pdf", _("生成 PDF")
    SAVE = "save", _("保存")
