from django.db import migrations

SERVICE_TYPES = [
    # code, name, letter, average minutes, order
    ("business", "业务办理", "A", 12, 10),
    ("payment", "交费", "B", 3, 20),
    ("consult", "咨询", "C", 5, 30),
    ("invoice", "发票打印", "D", 2, 40),
]
SETTINGS = {
    "wait_commitment_minutes": 15,
    "vip_lead_minutes": 20,
    "care_lead_minutes": 15,
    "max_wait_minutes": 25,
    "board_refresh_seconds": 10,
    "rating_window_minutes": 30,
}


def seed(apps, schema_editor):
    ServiceType = apps.get_model("hall", "ServiceType")
    HallSetting = apps.get_model("hall", "HallSetting")
    for code, name, prefix, minutes, order in SERVICE_TYPES:
        ServiceType.objects.get_or_create(
            code=code, defaults={"name": name, "prefix": prefix, "average_minutes": minutes, "order": order}
        )
    for key, value in SETTINGS.items():
        HallSetting.objects.get_or_create(key=key, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
