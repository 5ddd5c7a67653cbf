from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckCode(models.TextChoices):
    """The master-data checks (户变关系 and customer records), one finding per problem."""

    NO_PHONE = "no_reachable_phone", _("无有效联系电话")
    DUPLICATE_ID = "duplicate_id_number", _("证件号码重复")
    DUPLICATE_PHONE = "duplicate_phone", _("联系电话重复")
    DUPLICATE_ADDRESS = "duplicate_address", _("同名同地址重复建档")
    ADDRESS_AREA = "address_area_mismatch", _("地址与台区不符")
    OVER_CAPACITY = "capacity_over_transformer", _("合同容量超过配变容量")
    EMPTY_AREA = "area_without_customers", _("台区无客户")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ASSIGNED = "assigned", _("已分派")
    RESOLVED = "resolved", _("已解决")
    DISMISSED = "dismissed", _("已忽略")


ACTIVE_STATUSES = frozenset({FindingStatus.OPEN, FindingStatus.ASSIGNED})
CLOSED_STATUSES = frozenset({FindingStatus.RESOLVED, FindingStatus.DISMISSED})

# The one transition table of a finding (assigning again hands it to someone else).
TRANSITIONS: dict[str, frozenset[str]] = {
    FindingStatus.OPEN: frozenset({FindingStatus.ASSIGNED, FindingStatus.RESOLVED, FindingStatus.DISMISSED}),
    FindingStatus.ASSIGNED: frozenset(
        {FindingStatus.ASSIGNED, FindingStatus.RESOLVED, FindingStatus.DISMISSED}
    ),
    FindingStatus.RESOLVED: frozenset(),
    FindingStatus.DISMISSED: frozenset(),
}


class RunTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("夜间定时")
    MANUAL = "manual", _("手工运行")
    DEMO = "demo", _("演示数据")
