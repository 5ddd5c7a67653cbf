"""What proactive care's audit rows mean, in words (core's one table)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import CampaignKind, CampaignStatus, CareList, DemandSource, DemandStatus, TargetStatus

register_audit_labels(
    "proactive.",
    group=_("主动服务"),
    actions={"meter_import": _("导入电能表档案")},
    fields={"created": _("新增"), "updated": _("更新"), "unchanged": _("未变")},
    objects={"proactive.meterfact": _("电能表档案")},
)
register_audit_labels(
    "campaign.",
    group=_("主动服务活动"),
    actions={
        "create": _("发起主动服务活动"),
        "launch": _("启动主动服务活动"),
        "task": _("登记现场任务结果"),
        "close": _("结束主动服务活动"),
        "cancel": _("取消主动服务活动"),
    },
    fields={
        "status": _("状态"),
        "total": _("客户数"),
        "kind": _("方式"),
        "care_list": _("清单"),
        "queued": _("已排队短信"),
        "unreachable": _("无有效电话"),
        "note": _("说明"),
    },
    values={
        "status": {**dict(CampaignStatus.choices), **dict(TargetStatus.choices)},
        "kind": dict(CampaignKind.choices),
        "care_list": dict(CareList.choices),
    },
    objects={"proactive.campaign": _("主动服务活动")},
)
register_audit_labels(
    "demand.",
    group=_("潜在用电需求"),
    actions={
        "create": _("登记潜在用电需求"),
        "update": _("修改潜在用电需求"),
        "delete": _("删除潜在用电需求"),
    },
    fields={
        "source": _("信息来源"),
        "source_detail": _("来源单位/联系人"),
        "title": _("项目名称"),
        "station": _("供电所"),
        "area": _("附近台区"),
        "location": _("位置"),
        "expected_kw": _("预计负荷(kW)"),
        "expected_date": _("预计用电日期"),
        "status": _("状态"),
        "note": _("备注"),
    },
    values={"source": dict(DemandSource.choices), "status": dict(DemandStatus.choices)},
    objects={"proactive.potentialdemand": _("潜在用电需求")},
)
register_audit_labels(
    "proactivesetting.", group=_("主动服务清单规则"), actions={"update": _("修改主动服务清单规则")}
)
