from django.db import migrations

PACKAGES = [
    (
        "BASIC",
        "基础服务包",
        "专属客户经理一对一服务；用电安全检查每年一次；停电计划提前告知；故障报修绿色通道。",
        12,
    ),
    (
        "PLUS",
        "增值服务包",
        "基础服务包全部内容；用电安全检查每半年一次；电能质量与能效诊断；应急预案编制与演练指导；保供电方案。",
        6,
    ),
]
SETTINGS = [
    ("plan_expiring_days", 30),
    ("inspection_lead_days", 30),
    ("rectify_days_minor", 20),
    ("rectify_days_major", 10),
    ("rectify_days_serious", 3),
]


def seed(apps, schema_editor):
    ServicePackage = apps.get_model("keyaccounts", "ServicePackage")
    KeyAccountSetting = apps.get_model("keyaccounts", "KeyAccountSetting")
    for code, name, includes, months in PACKAGES:
        ServicePackage.objects.get_or_create(
            code=code, defaults={"name": name, "includes": includes, "inspection_interval_months": months}
        )
    for key, value in SETTINGS:
        KeyAccountSetting.objects.get_or_create(key=key, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("keyaccounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
