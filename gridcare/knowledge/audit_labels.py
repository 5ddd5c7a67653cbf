"""What the knowledge base's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import VersionState

register_audit_labels(
    "knowledge.",
    group=_("知识库"),
    actions={
        "create": _("新建知识条目"),
        "revise": _("修改知识条目（新版本）"),
        "submit": _("提交知识条目审核"),
        "publish": _("发布知识条目"),
        "reject": _("退回知识条目"),
        "import": _("导入知识条目"),
        "sms": _("短信发送知识条目"),
        "answered": _("用知识库答复工单"),
        "attach": _("添加知识条目附件"),
        "detach": _("删除知识条目附件"),
    },
    fields={
        "state": _("状态"),
        "title": _("标题"),
        "number": _("版本号"),
        "note": _("审核意见"),
        "phone": _("手机号"),
        "order": _("工单"),
        "rows": _("行数"),
        "file": _("附件"),
        "type": _("文件类型"),
        "size": _("文件大小"),
    },
    values={"state": dict(VersionState.choices)},
    objects={
        "knowledge.article": _("知识条目"),
        "knowledge.articleversion": _("知识条目版本"),
        "knowledge.articleattachment": _("知识条目附件"),
    },
)
