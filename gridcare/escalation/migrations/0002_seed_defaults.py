"""Seed warning levels, callback rules, authority limits and settings with the defaults."""

from decimal import Decimal

from django.db import migrations

LEVELS = [
    ("warn50", "一级预警（时限过半）", 50, False),
    ("warn80", "二级预警（时限将至）", 80, False),
    ("breach", "超时升级", 100, True),
]
# request_type, sample %, due working days
CALLBACKS = [
    ("complaint", 100, 1),
    ("fault_repair", 100, 2),
    ("report", 100, 3),
    ("service_application", 100, 3),
    ("consultation", 0, 3),
    ("suggestion", 0, 3),
    ("praise", 0, 3),
]
# role, unit kind, max amount (None: no limit), description
LIMITS = [
    ("", "", Decimal("200"), "一线人员 ¥200"),
    ("supervisor", "team", Decimal("200"), "班组督办 ¥200"),
    ("supervisor", "station", Decimal("2000"), "供电所所长/督办 ¥2,000"),
    ("manager", "station", Decimal("2000"), "供电所管理人员 ¥2,000"),
    ("supervisor", "county", None, "县公司及以上不设上限（审批权）"),
    ("supervisor", "city", None, "市公司督办不设上限"),
    ("supervisor", "company", None, "省公司督办不设上限"),
    ("manager", "county", None, "县公司管理人员不设上限"),
    ("manager", "city", None, "市公司管理人员不设上限"),
    ("manager", "company", None, "省公司管理人员不设上限"),
    ("admin", "", None, "系统管理员不设上限"),
]
SETTINGS = [
    ("urge_escalate_threshold", 2, "催办次数超过此数即提级督办"),
    ("repeat_window_days", 30, "重复诉求识别时间窗（天）"),
    ("repeat_similarity_pct", 20, "重复诉求文本相似度阈值（字二元组 Jaccard，百分比）"),
    ("callback_max_attempts", 3, "回访最多拨打次数，仍联系不上记为“联系不上”"),
    ("callback_attempt_gap_minutes", 60, "两次回访拨打至少间隔（分钟）"),
    ("callback_max_days", 14, "回访最迟在回单后多少天内完成"),
    ("outbox_max_attempts", 5, "外发消息最多尝试次数"),
    ("sweep_batch", 500, "时限监控每批处理工单数"),
]


def seed(apps, schema_editor):
    WarningLevel = apps.get_model("escalation", "WarningLevel")
    CallbackRule = apps.get_model("escalation", "CallbackRule")
    AuthorityLimit = apps.get_model("escalation", "AuthorityLimit")
    EscalationSetting = apps.get_model("escalation", "EscalationSetting")
    for code, name, percent, escalate in LEVELS:
        WarningLevel.objects.get_or_create(code=code, defaults={"name": name, "percent": percent, "escalate": escalate})
    for rtype, pct, days in CALLBACKS:
        CallbackRule.objects.get_or_create(
            request_type=rtype, defaults={"sample_percent": pct, "due_working_days": days}
        )
    for role, kind, amount, desc in LIMITS:
        AuthorityLimit.objects.get_or_create(
            role=role, unit_kind=kind, defaults={"max_amount": amount, "description": desc}
        )
    for key, value, desc in SETTINGS:
        EscalationSetting.objects.get_or_create(key=key, defaults={"value": value, "description": desc})


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
