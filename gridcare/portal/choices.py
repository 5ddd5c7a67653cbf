"""Codes and limits of the customer portal."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcare.workorders.choices import Dimension, RequestType

# ------------------------------------------------------------------ sign-in by SMS code
CODE_DIGITS = 6
CODE_TTL_SECONDS = 5 * 60
CODE_MAX_TRIES = 5  # wrong codes on one challenge before it is spent
SESSION_SECONDS = 60 * 60  # a portal session lasts an hour from sign-in

# (window seconds, most events in the window); counters kept in the database.
SEND_PER_PHONE = (60 * 60, 5)
SEND_PER_IP = (60 * 60, 20)
VERIFY_PER_IP = (60 * 60, 40)
# Wrong codes for one phone within the window lock that phone's sign-in.
LOCK_AFTER_WRONG = (30 * 60, 8)
# Failures (wrong codes, refused sends) from one IP after which an arithmetic question is asked.
CHALLENGE_AFTER_FAILURES = (30 * 60, 3)
SUBMIT_PER_IP = (60 * 60, 10)
REPORT_LOOKUP_PER_IP = (60 * 60, 30)

# ----------------------------------------------------------------------- submissions
ATTACHMENTS_MAX = 3
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

# The request types a signed-in customer may choose, in the order shown. A report (举报)
# is offered too, signed in or not; anonymous reports go through their own form.
PORTAL_TYPES = [
    RequestType.FAULT_REPAIR,
    RequestType.CONSULTATION,
    RequestType.SERVICE_APPLICATION,
    RequestType.COMPLAINT,
    RequestType.SUGGESTION,
    RequestType.PRAISE,
    RequestType.REPORT,
]

# The dimension an order gets when the customer does not choose one (by request type).
DEFAULT_DIMENSION = {
    RequestType.FAULT_REPAIR: Dimension.SUPPLY_RELIABILITY,
    RequestType.CONSULTATION: Dimension.INFORMATION_COMMUNICATION,
    RequestType.SERVICE_APPLICATION: Dimension.BUSINESS_HANDLING,
    RequestType.COMPLAINT: Dimension.SERVICE_ATTITUDE,
    RequestType.SUGGESTION: Dimension.SERVICE_CHANNEL,
    RequestType.PRAISE: Dimension.SERVICE_ATTITUDE,
    RequestType.REPORT: Dimension.SERVICE_ATTITUDE,
}


class ReportTopic(models.TextChoices):
    """What an anonymous report is about, in the reporter's words; each maps to a dimension
    by the taxonomy rules (theft → billing, danger → safety, staff conduct → attitude)."""

    THEFT = "theft", _("窃电、违约用电")
    DANGER = "danger", _("安全隐患（线下违章建筑、垂钓、偷盗电缆等）")
    CONDUCT = "conduct", _("工作人员吃拿卡要、收受好处、乱收费")
    PRICE = "price", _("物业、房东加价收取电费")
    OTHER = "other", _("其他")


REPORT_DIMENSION = {
    ReportTopic.THEFT: Dimension.BILLING_PAYMENT,
    ReportTopic.DANGER: Dimension.SUPPLY_SAFETY,
    ReportTopic.CONDUCT: Dimension.SERVICE_ATTITUDE,
    ReportTopic.PRICE: Dimension.BILLING_PAYMENT,
    ReportTopic.OTHER: Dimension.SERVICE_ATTITUDE,
}


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


RATING_SCORES = (1, 2, 3, 4, 5)
