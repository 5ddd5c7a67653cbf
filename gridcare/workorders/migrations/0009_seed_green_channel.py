"""Seed the green-channel time limits (绿色通道): tighter versions of the published
commitments for the customers care gives the green channel (large and important customers
by default). Admin-editable in the commitment catalogue like every other rule."""

from django.db import migrations

M, WD = "minutes", "working_days"

# (request_type, subtype, area_class, customer_category, kind, basis, amount, after, description)
RULES = [
    ("fault_repair", "", "urban", "", "arrival", M, 30, "", "绿色通道：城区抢修30分钟到达现场"),
    ("fault_repair", "", "rural", "", "arrival", M, 60, "", "绿色通道：农村抢修60分钟到达现场"),
    ("fault_repair", "", "remote", "", "arrival", M, 90, "", "绿色通道：偏远地区抢修90分钟到达现场"),
    ("fault_repair", "", "", "", "arrival", M, 60, "", "绿色通道：未知区域类别按农村标准"),
    ("fault_repair", "", "urban", "", "restoration", M, 120, "arrival", "绿色通道：城区到达后2小时内恢复送电"),
    ("fault_repair", "", "rural", "", "restoration", M, 180, "arrival", "绿色通道：农村到达后3小时内恢复送电"),
    ("fault_repair", "", "remote", "", "restoration", M, 180, "arrival", "绿色通道：偏远地区到达后3小时内恢复送电"),
    ("fault_repair", "", "", "", "restoration", M, 180, "arrival", "绿色通道：未知区域类别按农村标准"),
    ("complaint", "", "", "", "contact", M, 240, "", "绿色通道：投诉4小时内联系客户"),
    ("complaint", "", "", "", "reply", WD, 5, "", "绿色通道：投诉5个工作日内答复"),
    ("service_application", "", "", "residential", "completion", WD, 3, "", "绿色通道：居民报装3个工作日"),
    ("service_application", "", "", "lv_non_residential", "completion", WD, 4, "", "绿色通道：低压非居民4个工作日"),
    ("service_application", "", "", "hv_single", "completion", WD, 15, "", "绿色通道：高压单电源15个工作日"),
    ("service_application", "", "", "hv_dual", "completion", WD, 22, "", "绿色通道：高压双电源22个工作日"),
    ("service_application", "", "", "", "completion", WD, 4, "", "绿色通道：无客户信息时按低压非居民"),
    ("consultation", "", "", "", "reply", M, 240, "", "绿色通道：咨询4小时内答复"),
    ("report", "", "", "", "reply", WD, 5, "", "绿色通道：举报5个工作日内答复"),
    ("suggestion", "", "", "", "reply", WD, 3, "", "绿色通道：意见建议3个工作日内答复"),
]


def seed(apps, schema_editor):
    CommitmentRule = apps.get_model("workorders", "CommitmentRule")
    CommitmentRule.objects.bulk_create(
        [
            CommitmentRule(
                request_type=t, subtype=s, area_class=a, customer_category=c, green_channel=True, kind=k,
                basis=b, amount=n, after=after, description=d,
            )
            for t, s, a, c, k, b, n, after, d in RULES
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0008_green_channel")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
