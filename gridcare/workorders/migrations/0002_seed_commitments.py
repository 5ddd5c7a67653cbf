"""Seed the commitment catalog and process settings with PRODUCT.md's published defaults."""

from django.db import migrations

M, WD = "minutes", "working_days"

# (request_type, subtype, area_class, customer_category, kind, basis, amount, after, description)
RULES = [
    ("fault_repair", "", "urban", "", "arrival", M, 45, "", "城区抢修人员45分钟到达现场"),
    ("fault_repair", "", "rural", "", "arrival", M, 90, "", "农村抢修人员90分钟到达现场"),
    ("fault_repair", "", "remote", "", "arrival", M, 120, "", "偏远地区抢修人员2小时到达现场"),
    ("fault_repair", "", "", "", "arrival", M, 90, "", "未知区域类别按农村标准"),
    ("fault_repair", "", "urban", "", "restoration", M, 180, "arrival", "城区到达现场后3小时内恢复送电"),
    ("fault_repair", "", "rural", "", "restoration", M, 240, "arrival", "农村到达现场后4小时内恢复送电"),
    ("fault_repair", "", "remote", "", "restoration", M, 240, "arrival", "偏远地区到达现场后4小时内恢复送电"),
    ("fault_repair", "", "", "", "restoration", M, 240, "arrival", "未知区域类别按农村标准"),
    ("complaint", "", "", "", "contact", WD, 1, "", "投诉1个工作日内联系客户"),
    ("complaint", "", "", "", "reply", WD, 10, "", "投诉10个工作日内答复处理意见（监管规定上限）"),
    ("service_application", "", "", "residential", "completion", WD, 5, "", "居民报装5个工作日办结"),
    ("service_application", "", "", "lv_non_residential", "completion", WD, 6, "", "低压非居民6个工作日"),
    ("service_application", "", "", "hv_single", "completion", WD, 22, "", "高压单电源22个工作日"),
    ("service_application", "", "", "hv_dual", "completion", WD, 32, "", "高压双电源32个工作日"),
    ("service_application", "", "", "", "completion", WD, 6, "", "无客户信息时按低压非居民"),
    ("service_application", "meter_test", "", "", "completion", WD, 5, "", "电能表校验5个工作日出具结果"),
    ("service_application", "name_change", "", "", "completion", WD, 5, "", "更名过户5个工作日"),
    ("service_application", "tou_tariff", "", "", "completion", WD, 5, "", "峰谷电变更5个工作日"),
    ("service_application", "pause_resume", "", "", "completion", WD, 5, "", "暂停/恢复用电5个工作日"),
    ("consultation", "", "", "", "reply", WD, 1, "", "咨询1个工作日内答复"),
    ("report", "", "", "", "reply", WD, 10, "", "举报10个工作日内答复"),
    ("suggestion", "", "", "", "reply", WD, 5, "", "意见建议5个工作日内答复"),
    ("praise", "", "", "", "reply", WD, 3, "", "表扬3个工作日内转达并致谢"),
    ("fault_repair", "", "", "", "callback", WD, 10, "", "处理完毕后两周（10个工作日）内回访"),
    ("complaint", "", "", "", "callback", WD, 10, "", "处理完毕后两周（10个工作日）内回访"),
    ("report", "", "", "", "callback", WD, 10, "", "处理完毕后两周（10个工作日）内回访"),
    ("service_application", "", "", "", "callback", WD, 10, "", "处理完毕后两周（10个工作日）内回访"),
]

SETTINGS = [
    ("merge_window_minutes", 120, "同台区/同线路故障报修自动并入主单的时间窗（分钟，0为关闭）"),
    ("merge_by_feeder", 1, "同一线路上不同台区的故障报修也合并（1是，0否）"),
]


def seed(apps, schema_editor):
    CommitmentRule = apps.get_model("workorders", "CommitmentRule")
    PolicySetting = apps.get_model("workorders", "PolicySetting")
    CommitmentRule.objects.bulk_create(
        [CommitmentRule(request_type=t, subtype=s, area_class=a, customer_category=c, kind=k, basis=b, amount=n,
                        after=after, description=d) for t, s, a, c, k, b, n, after, d in RULES],
        ignore_conflicts=True,
    )
    PolicySetting.objects.bulk_create([PolicySetting(key=k, value=v, description=d) for k, v, d in SETTINGS],
                                      ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
