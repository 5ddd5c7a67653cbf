from django.db import migrations

NORMS = [
    ("dress", "着装不规范", 1),
    ("language", "服务用语不规范", 2),
    ("shirking", "推诿搪塞", 5),
    ("attitude", "态度生硬", 3),
    ("not_told_once", "未一次性告知", 3),
    ("over_time_limit", "超时限办理", 5),
    ("data_leak", "泄露客户信息", 15),
    ("bribery", "吃拿卡要", 20),
]


def seed(apps, schema_editor):
    SupervisionSetting = apps.get_model("supervision", "SupervisionSetting")
    ConductNorm = apps.get_model("supervision", "ConductNorm")
    SupervisionSetting.objects.get_or_create(key="recurring_cause_threshold", defaults={"value": 3})
    for sort, (code, name, points) in enumerate(NORMS, start=1):
        ConductNorm.objects.get_or_create(
            code=code, defaults={"name": name, "default_points": points, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
